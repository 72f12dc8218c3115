// A worker process: claims transfer runs from the store and executes them until told to stop.
// Usage: BANK_DB=path/to/bank.db node --import tsx worker.ts sqlite:path/to/endure.db
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
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void endure.close().then(() => process.exit(0));
  });
}

console.log("ready"); // the parent waits for this line before starting runs
