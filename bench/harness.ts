import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Endure, type QueueDefinition, type Worker, type WorkflowDefinition } from "./endure.js";

/** Every workload's worker: at least the 100 in flight of workload B, with headroom. */
export const WORKER_CONCURRENCY = 200;

/** A client on a fresh store, without a worker: for workloads whose workers are other processes. */
export interface BenchStore {
  endure: Endure;
  /** The store's URL, for other clients and worker processes. */
  url: string;
  /** Closes the client (and its workers and store) and removes the store's data. */
  close(): Promise<void>;
}

export interface Bench extends BenchStore {
  worker: Worker;
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

/** A fresh Endure client on a fresh store, with no worker. */
export async function openBenchStore(): Promise<BenchStore> {
  const store = await freshStore();
  const endure = await Endure.open({ store: store.url });
  return {
    endure,
    url: store.url,
    close: async () => {
      await endure.close();
      await store.remove();
    },
  };
}

/** A fresh Endure on a fresh store, with an in-process worker serving `workflows` (and admitting runs of `queues`). */
export async function openBench(workflows: readonly WorkflowDefinition<never[], unknown>[], queues: readonly QueueDefinition[] = []): Promise<Bench> {
  const bench = await openBenchStore();
  try {
    return { ...bench, worker: await bench.endure.startWorker({ workflows, queues, concurrency: WORKER_CONCURRENCY }) };
  } catch (error) {
    await bench.close();
    throw error;
  }
}
