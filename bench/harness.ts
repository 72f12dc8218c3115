import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Endure, type Worker, type WorkflowDefinition } from "../src/index.js";

/** Every workload's worker: at least the 100 in flight of workload B, with headroom. */
export const WORKER_CONCURRENCY = 200;

export interface Bench {
  endure: Endure;
  worker: Worker;
  /** Closes the client (and its worker and store) and deletes the temp dir. */
  close(): Promise<void>;
}

/**
 * A fresh Endure on a SQLite file in a new temp dir, with an in-process worker serving `workflows`.
 * The store is opened by URL so it gets the default durability (WAL, synchronous=FULL): the
 * numbers are only meaningful with every commit fsynced.
 */
export async function openBench(workflows: readonly WorkflowDefinition<never[], unknown>[]): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), "endure-bench-"));
  const endure = await Endure.open({ store: `sqlite:${join(dir, "endure.db")}` });
  const worker = await endure.startWorker({ workflows, concurrency: WORKER_CONCURRENCY });
  return {
    endure,
    worker,
    close: async () => {
      await endure.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
