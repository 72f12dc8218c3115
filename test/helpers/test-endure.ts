import { Endure } from "../../src/index.js";
import type { WorkerOptions } from "../../src/index.js";
import { freshTestStore } from "./test-store.js";

/** An Endure client on a fresh store (see test-store.ts), with a worker when workflows are given. */
export async function openTestEndure(worker?: WorkerOptions): Promise<{ endure: Endure; url: string; close(): Promise<void> }> {
  const store = freshTestStore();
  const endure = await Endure.open({ store: store.url });
  if (worker) await endure.startWorker({ pollInterval: 10, ...worker });
  return {
    endure,
    url: store.url,
    close: async () => {
      await endure.close();
      await store.cleanup();
    },
  };
}
