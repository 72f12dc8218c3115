// A worker process: claims transfer runs from the store and executes them until told to stop.
// Usage: node --import tsx worker.ts sqlite:path/to/endure.db [workflows module]
// It serves the workflows the module exports (default: ./workflows.ts, the transfer).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Endure, type WorkflowDefinition } from "../../src/index.js";

const store = process.argv[2] ?? process.env.ENDURE_STORE;
if (!store) {
  console.error("usage: worker.ts <store URL> [workflows module]   (or set ENDURE_STORE)");
  process.exit(2);
}
const module = process.argv[3] === undefined ? new URL("./workflows.ts", import.meta.url) : pathToFileURL(resolve(process.argv[3]));
const workflows = Object.values((await import(module.href)) as Record<string, unknown>).filter(
  (value): value is WorkflowDefinition<never[]> => (value as { kind?: unknown } | null)?.kind === "workflow",
);

const endure = await Endure.open({ store });
await endure.startWorker({
  workflows,
  // Short for the demo, so runs of a killed worker are taken over after about a second (default 5s).
  lease: "1s",
  // A few runs at a time, so the batch takes long enough for the demo to crash it half-way.
  concurrency: 5,
});

// Graceful stop: finish the step attempts in flight, hand the runs back, exit.
const stop = () => void endure.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
// Started with an IPC channel (by worker-process.ts): stop when the parent goes away, even if it
// was killed, so no worker outlives the demo or a test.
process.once("disconnect", stop);
process.stdout.on("error", stop); // e.g. EPIPE: nobody reads our output any more

console.log("ready"); // the parent waits for this line before starting runs
