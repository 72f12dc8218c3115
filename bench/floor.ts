import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, nowMs } from "./stats.js";

export interface FloorMetrics extends Record<string, number> {
  /** One single-row INSERT per transaction: the cost of one durable commit. */
  usPerCommit: number;
  /** The same, as the plain mean over all slices: stalls included, as Endure's workloads see them. */
  usPerCommitMean: number;
  /** 100 INSERTs per transaction: what batching (group commit) can reach at best. */
  batchedRowsPerSec: number;
}

const SINGLE_COMMITS = 1000;
const BATCHES = 100;
const ROWS_PER_BATCH = 100;
const SLICES = 10;

/**
 * The floor: raw better-sqlite3 on the same kind of file as the store (WAL, synchronous=FULL), so a
 * reader can see how much of Endure's per-step cost is the fsync it cannot avoid. Rows are about
 * the size of a journal entry, with a primary-key index like the journal's.
 */
export function floor(): FloorMetrics {
  const dir = mkdtempSync(join(tmpdir(), "endure-floor-"));
  const db = new Database(join(dir, "floor.db"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    // A floor measured without fsync would be meaningless: check the settings took.
    if (db.pragma("journal_mode", { simple: true }) !== "wal" || db.pragma("synchronous", { simple: true }) !== 2) {
      throw new Error("floor: could not set journal_mode=WAL and synchronous=FULL");
    }
    db.exec("CREATE TABLE t (run_id TEXT NOT NULL, position INTEGER NOT NULL, output TEXT, PRIMARY KEY (run_id, position))");
    const insert = db.prepare("INSERT INTO t (run_id, position, output) VALUES (?, ?, ?)");
    const output = JSON.stringify({ ok: true, value: "x".repeat(32) });
    let position = 0;
    const row = () => insert.run("00000000-0000-4000-8000-000000000000", position++, output);

    for (let i = 0; i < 100; i++) row(); // warm-up: statement, WAL file, page cache

    // Timed in slices, keeping the median slice: on a shared disk one fsync stall of hundreds of ms
    // would otherwise decide the whole number.
    // Each autocommit statement is its own transaction, fsynced before run() returns.
    const commitSlices = slices(SLICES, () => {
      const t0 = nowMs();
      for (let i = 0; i < SINGLE_COMMITS / SLICES; i++) row();
      return ((nowMs() - t0) * 1000) / (SINGLE_COMMITS / SLICES);
    });
    const usPerCommit = median(commitSlices);
    const usPerCommitMean = commitSlices.reduce((sum, us) => sum + us, 0) / SLICES;

    const batch = db.transaction(() => {
      for (let i = 0; i < ROWS_PER_BATCH; i++) row();
    });
    const batchedRowsPerSec = median(slices(SLICES, () => {
      const t0 = nowMs();
      for (let i = 0; i < BATCHES / SLICES; i++) batch();
      return ((BATCHES / SLICES) * ROWS_PER_BATCH) / ((nowMs() - t0) / 1000);
    }));

    return { usPerCommit, usPerCommitMean, batchedRowsPerSec };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function slices(count: number, measure: () => number): number[] {
  return Array.from({ length: count }, measure);
}
