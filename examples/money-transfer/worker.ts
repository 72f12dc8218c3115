// A worker process: claims transfer runs from the store and executes them until told to stop.
// Usage: node --import tsx worker.ts sqlite:path/to/endure.db
import { Endure } from "../../src/index.js";
import { transfer } from "./workflows.js";

const store = process.argv[2] ?? process.env.ENDURE_STORE;
if (!store) {
  console.error("usage: worker.ts <store URL>   (or set ENDURE_STORE)");
  process.exit(2);
}

const endure = await Endure.open({ store });
await endure.startWorker({
  workflows: [transfer],
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
