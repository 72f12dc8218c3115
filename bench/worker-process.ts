/**
 * A worker process of workloads E and F (spawned by bench/worker-processes.ts):
 *
 *   node --expose-gc --import tsx bench/worker-process.ts --store <URL> [--lease 1s]
 *
 * Serves the workflows of bench/process-workflows.ts and prints one JSON line per event on stdout:
 * `ready` once its worker started; after each line `memory` on its stdin, `memory` with its
 * resident set and heap in bytes, measured after a full GC so that garbage does not count. It
 * exits when its stdin closes, so it never outlives the bench.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Endure } from "./endure.js";
import { WORKER_CONCURRENCY } from "./harness.js";
import { hourSleeper, killedMidStep } from "./process-workflows.js";

const { values } = parseArgs({ options: { store: { type: "string" }, lease: { type: "string" } } });
if (!values.store) throw new Error("usage: bench/worker-process.ts --store <URL> [--lease 1s]");

const UNMAP_MS = 500;

const say = (event: string, details: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ event, ...details })}\n`);

const endure = await Endure.open({ store: values.store });
await endure.startWorker({
  workflows: [killedMidStep, hourSleeper],
  concurrency: WORKER_CONCURRENCY,
  ...(values.lease !== undefined && { lease: values.lease }),
});

const commands = createInterface({ input: process.stdin });
commands.on("close", () => process.exit(0));
commands.on("line", (line) => {
  if (line !== "memory") return;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("bench/worker-process.ts needs node --expose-gc to measure its memory");
  gc();
  // The pages a GC frees are unmapped by a background thread, within some 100 ms.
  setTimeout(() => say("memory", { ...process.memoryUsage() }), UNMAP_MS);
});
say("ready");
