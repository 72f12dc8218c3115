import { spawn } from "node:child_process";
import { setTimeout as delay } from "node:timers/promises";
import { Child, REPO_ROOT } from "../test/crash/fixtures/processes.js";
import { HOLD_ENV } from "./process-workflows.js";

export interface WorkerProcessOptions {
  /** Names the process in messages. */
  tag: string;
  lease?: string;
  /** Its `held` steps hang until it is killed (see bench/process-workflows.ts). */
  hold?: boolean;
}

/**
 * Starts bench/worker-process.ts on the store at `url`, as a process of its own (so its memory is
 * its own and it can be SIGKILLed), and waits until its worker is started. `child.kill()` ends it.
 */
export async function spawnWorkerProcess(url: string, options: WorkerProcessOptions): Promise<Child> {
  const args = ["--expose-gc", "--import", "tsx", "bench/worker-process.ts", "--store", url];
  if (options.lease !== undefined) args.push("--lease", options.lease);
  const child = new Child(options.tag, spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, [HOLD_ENV]: options.hold ? "1" : "0" },
    stdio: ["pipe", "pipe", "pipe"],
  }));
  try {
    await child.waitForEvent((event) => event.event === "ready", "its worker to be ready");
  } catch (error) {
    await child.kill();
    throw error;
  }
  return child;
}

export interface ProcessMemory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
}

/** The memory of a worker process, in bytes, after a full GC in it. */
export async function memoryOf(child: Child): Promise<ProcessMemory> {
  const from = child.events.length;
  child.proc.stdin!.write("memory\n");
  const event = await child.waitForEvent((event) => event.event === "memory", "its memory report", undefined, from);
  return { rss: event.rss as number, heapTotal: event.heapTotal as number, heapUsed: event.heapUsed as number };
}

/** Long enough for V8's memory reducer, which shrinks the heap some seconds after a busy spell. */
const SETTLE_MS = 10_000;

/**
 * The memory of a worker process left idle for 10 s first: V8 hands unused heap pages back to the
 * system only a few seconds after a busy spell, so a reading taken at once holds memory the process
 * is about to return.
 */
export async function settledMemoryOf(child: Child): Promise<ProcessMemory> {
  await delay(SETTLE_MS);
  return await memoryOf(child);
}
