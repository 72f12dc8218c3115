import { dirname, relative } from "node:path";
import { Command } from "commander";
import { createMetrics } from "../../index.js";
import { DEFAULT_STORE, examples, storeOption, withEndure } from "../client-options.js";
import { spawnWorker, type WorkerProcess } from "../dev/worker-process.js";
import { watchTree } from "../dev/watch-tree.js";
import { commandLogger } from "../logger.js";
import { color } from "../output.js";
import { type ListenOptions, listenOptions, serveApi } from "../server-options.js";
import { untilStopSignal } from "../stop-signal.js";
import { existingFile } from "../workflow-file.js";

interface DevOptions extends ListenOptions {
  store?: string;
}

export function devCommand(): Command {
  const command = new Command("dev")
    .description("the local loop: serve the HTTP API, run a file's workflows in a worker, and restart it when a file changes")
    .argument("<file>", "a TypeScript file that exports workflow() definitions; changes to any file under its directory reload the worker")
    .addOption(storeOption());
  listenOptions(command, { port: 7070 }).action((file: string, options: DevOptions) => dev(file, options));
  return examples(command, "endure dev src/workflows.ts", "endure dev src/workflows.ts --port 8080 --store sqlite:dev.db");
}

async function dev(file: string, options: DevOptions): Promise<void> {
  const { path } = existingFile(file);
  await withEndure(options, async (endure) => {
    // Listening before anything says dev is up: a Ctrl-C from then on stops everything gracefully.
    const stopSignal = untilStopSignal();
    // The worker is another process: these metrics are the store's counts (runs by status, queues).
    const logger = commandLogger("human");
    const server = await serveApi(endure, options, { logger, metrics: createMetrics({ endure, logger }) });
    console.log(`Endure dev: the HTTP API at ${color.bold(server.url)}, on ${options.store ?? DEFAULT_STORE}`);
    const supervisor = new WorkerSupervisor(path, options.store);
    const watched = dirname(path);
    const stopWatching = watchTree(watched, (changed) => supervisor.restart(changed));
    console.log(`Watching ${relative(process.cwd(), watched) || "."} for changes. Ctrl-C stops everything.`);
    try {
      await supervisor.start();
      await stopSignal;
    } finally {
      stopWatching();
      await supervisor.stop();
      await server.close();
    }
  });
}

/** The one worker of `endure dev`: restarted in turn, one restart at a time, and kept down while the file does not load. */
class WorkerSupervisor {
  private worker?: WorkerProcess;
  /** Restarts run one after another. */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly store: string | undefined,
  ) {}

  start(): Promise<void> {
    return this.enqueue(() => this.launch("Worker started."));
  }

  restart(changed: string): void {
    void this.enqueue(async () => {
      console.log(`${changed} changed: restarting the worker.`);
      await this.stopWorker();
      await this.launch(color.green("Reloaded."));
    });
  }

  stop(): Promise<void> {
    return this.enqueue(() => this.stopWorker());
  }

  /** Forgets the worker first, so its exit is not reported as unexpected. */
  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.stop();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.turn = this.turn.then(task);
    return this.turn;
  }

  private async launch(success: string): Promise<void> {
    const worker = spawnWorker(this.file, this.store);
    this.worker = worker;
    if (!(await worker.ready)) {
      console.log(color.yellow("The worker did not start (see the error above). Fix the file and save: endure dev starts it again."));
      return;
    }
    console.log(success);
    void worker.exited.then((code) => {
      if (this.worker === worker) console.log(color.yellow(`The worker stopped (exit code ${code}). Save a file to start it again.`));
    });
  }
}
