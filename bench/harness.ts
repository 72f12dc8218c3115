import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Endure, type Worker, type WorkflowDefinition } from "../src/index.js";

/** Every workload's worker: at least the 100 in flight of workload B, with headroom. */
export const WORKER_CONCURRENCY = 200;

export interface Bench {
  endure: Endure;
  worker: Worker;
  /** Closes the client (and its worker and store) and removes the store's data. */
  close(): Promise<void>;
}

/** A fresh, empty store for one pass, and how to remove it. */
export type FreshStore = () => Promise<{ url: string; remove(): Promise<void> }>;

/**
 * The default: a SQLite file in a new temp dir, opened by URL so it gets the default durability
 * (WAL, synchronous=FULL): the numbers are only meaningful with every commit fsynced.
 */
let freshStore: FreshStore = async () => {
  const dir = mkdtempSync(join(tmpdir(), "endure-bench-"));
  return { url: `sqlite:${join(dir, "endure.db")}`, remove: async () => rmSync(dir, { recursive: true, force: true }) };
};

/** Makes every workload run on stores from `fresh` (e.g. a PostgreSQL schema each). */
export function benchOn(fresh: FreshStore): void {
  freshStore = fresh;
}

/** A fresh Endure on a fresh store, with an in-process worker serving `workflows`. */
export async function openBench(workflows: readonly WorkflowDefinition<never[], unknown>[]): Promise<Bench> {
  const store = await freshStore();
  const endure = await Endure.open({ store: store.url });
  const worker = await endure.startWorker({ workflows, concurrency: WORKER_CONCURRENCY });
  return {
    endure,
    worker,
    close: async () => {
      await endure.close();
      await store.remove();
    },
  };
}
