import pg from "pg";
import type { FloorMetrics } from "./floor.js";
import { median, nowMs } from "./stats.js";

const SINGLE_COMMITS = 500;
const BATCHES = 50;
const ROWS_PER_BATCH = 100;
const SLICES = 10;

/**
 * The floor on PostgreSQL: raw node-postgres on one connection, the same rows as the SQLite floor
 * (about a journal entry's size, a primary-key index like the journal's), against the same server
 * the workloads use. One single-row INSERT per transaction is one durable commit (WAL flush).
 */
export async function floorPostgres(url: string): Promise<FloorMetrics> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const table = `floor_${process.pid}_${Date.now()}`;
  try {
    const { rows } = await client.query(`SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync`);
    const settings = rows[0] as { fsync: string; sync: string };
    // A floor measured without durable commits would be meaningless: check the server's settings.
    if (settings.fsync !== "on" || settings.sync !== "on") throw new Error(`floor: the server must have fsync and synchronous_commit on; got ${JSON.stringify(settings)}`);
    await client.query(`CREATE TABLE ${table} (run_id TEXT NOT NULL, position INTEGER NOT NULL, output TEXT, PRIMARY KEY (run_id, position))`);
    const output = JSON.stringify({ ok: true, value: "x".repeat(32) });
    let position = 0;
    const row = () => client.query(`INSERT INTO ${table} (run_id, position, output) VALUES ($1, $2, $3)`, ["00000000-0000-4000-8000-000000000000", position++, output]);
    for (let i = 0; i < 100; i++) await row();

    const commitSlices: number[] = [];
    for (let s = 0; s < SLICES; s++) {
      const t0 = nowMs();
      for (let i = 0; i < SINGLE_COMMITS / SLICES; i++) await row();
      commitSlices.push(((nowMs() - t0) * 1000) / (SINGLE_COMMITS / SLICES));
    }
    const batchSlices: number[] = [];
    for (let s = 0; s < SLICES; s++) {
      const t0 = nowMs();
      for (let b = 0; b < BATCHES / SLICES; b++) {
        await client.query("BEGIN");
        for (let i = 0; i < ROWS_PER_BATCH; i++) await row();
        await client.query("COMMIT");
      }
      batchSlices.push(((BATCHES / SLICES) * ROWS_PER_BATCH) / ((nowMs() - t0) / 1000));
    }
    return {
      usPerCommit: median(commitSlices),
      usPerCommitMean: commitSlices.reduce((sum, us) => sum + us, 0) / SLICES,
      batchedRowsPerSec: median(batchSlices),
    };
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await client.end();
  }
}
