import { type ChildProcess, spawn } from "node:child_process";

/** What `endure worker` sends its parent (`endure dev`) over IPC once it serves the file's workflows. */
export const WORKER_READY = "endure:worker-ready";

const STOP_GRACE_MS = 10_000;

/** An `endure worker <file>` child process of `endure dev`. */
export interface WorkerProcess {
  /** Resolves true once the worker serves the workflows, false if it exited first (e.g. the file does not compile). */
  readonly ready: Promise<boolean>;
  /** Resolves to the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** Stops it gracefully (its runs are handed back), killing it if it does not stop within 10 s. */
  stop(): Promise<void>;
}

/**
 * Spawns the same `endure` bin as a worker of `file`. It runs in a process group of its own, so a
 * Ctrl-C in the terminal reaches only `endure dev`, which stops it in order; and it stops by itself
 * if `endure dev` dies, when their IPC channel closes.
 */
export function spawnWorker(file: string, store: string | undefined): WorkerProcess {
  const args = [...process.execArgv, process.argv[1]!, "worker", file, ...(store === undefined ? [] : ["--store", store])];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : null))));
  const ready = new Promise<boolean>((resolve) => {
    child.on("message", (message) => {
      if (message === WORKER_READY) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  return {
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}
