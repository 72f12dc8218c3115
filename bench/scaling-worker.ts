/**
 * One worker process of `bench/scaling.ts`:
 *
 *   tsx bench/scaling-worker.ts <store URL> <concurrency>
 *
 * Opens the store and prints `ready`, then obeys its stdin: `start` starts a worker serving the
 * ten-step workflow (it prints `started`), `stop` stops it gracefully, closes the store and exits.
 * Starting on a command lets the benchmark start every process's worker at the same moment, on a
 * backlog it created beforehand.
 */
import { createInterface } from "node:readline";
import { Endure } from "./endure.js";
import { tenSteps } from "./workflows.js";

const [url, concurrencyText] = process.argv.slice(2);
if (!url || !concurrencyText) throw new Error("usage: tsx bench/scaling-worker.ts <store URL> <concurrency>");

const endure = await Endure.open({ store: url });
const say = (event: string) => process.stdout.write(`${event}\n`);

// The benchmark's stdin closing (it died) ends this process too.
const commands = createInterface({ input: process.stdin });
commands.on("close", () => process.exit(0));
commands.on("line", (line) => {
  if (line === "start") {
    void endure.startWorker({ workflows: [tenSteps], concurrency: Number(concurrencyText) }).then(() => say("started"));
  } else if (line === "stop") {
    void endure.close().then(() => process.exit(0));
  }
});
say("ready");
