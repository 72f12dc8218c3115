import { Endure } from "../../src/index.js";
import type { WorkerOptions } from "../../src/index.js";
import { tempDir } from "./temp-store.js";

/** An Endure client on a fresh SQLite file, with a worker when workflows are given. */
export async function openTestEndure(worker?: WorkerOptions): Promise<{ endure: Endure; url: string; close(): Promise<void> }> {
  const dir = tempDir();
  const endure = await Endure.open({ store: dir.url });
  if (worker) await endure.startWorker({ pollInterval: 10, ...worker });
  return {
    endure,
    url: dir.url,
    close: async () => {
      await endure.close();
      dir.cleanup();
    },
  };
}
