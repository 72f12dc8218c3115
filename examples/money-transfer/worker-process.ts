// Starts worker.ts as a separate OS process, so the demo (and the test) can kill it for real.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const WORKER_ENTRY = fileURLToPath(new URL("./worker.ts", import.meta.url));
// Resolved here rather than by the child, so the worker starts whatever the working directory.
const TSX = import.meta.resolve("tsx");

export interface WorkerProcess {
  readonly pid: number;
  /** Kills the process with SIGKILL (no cleanup at all, like a power cut) and waits for it to be gone. */
  crash(): Promise<void>;
  /** Asks the worker to stop gracefully (SIGTERM); kills it if it has not exited within `ms`. */
  stop(ms?: number): Promise<void>;
}

export interface WorkerProcessOptions {
  /** Path of the module whose exported workflows the worker serves (default: this example's workflows.ts). */
  workflows?: string;
  readyWithinMs?: number;
}

/** Spawns a worker on `storeUrl` and resolves once it prints "ready" (it has registered its workflows). */
export async function startWorkerProcess(storeUrl: string, { workflows, readyWithinMs = 20_000 }: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["--import", TSX, WORKER_ENTRY, storeUrl, ...(workflows === undefined ? [] : [workflows])], {
    stdio: ["ignore", "pipe", "inherit", "ipc"], // the IPC channel only tells the worker when this process is gone
  });
  const exited = once(child, "exit");
  try {
    await waitForReady(child, readyWithinMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  child.stdout!.resume(); // keep draining its output
  const gone = async () => {
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  return {
    pid: child.pid!,
    crash: async () => {
      child.kill("SIGKILL");
      await gone();
    },
    stop: async (ms = 10_000) => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), ms);
      await gone();
      clearTimeout(timer);
    },
  };
}

function waitForReady(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const fail = (message: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`the worker process did not print "ready" within ${ms} ms`), ms);
    child.once("exit", (code, signal) => fail(`the worker process exited (${signal ?? `code ${code}`}) before it was ready`));
    child.once("error", (error) => fail(`could not start the worker process: ${error.message}`));
    lines.on("line", (line) => {
      if (line.trim() !== "ready") return;
      clearTimeout(timer);
      lines.close();
      resolve();
    });
  });
}
