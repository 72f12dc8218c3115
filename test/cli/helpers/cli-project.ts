// A user's project for the CLI tests: a temp directory with a package.json, `node_modules/endure`
// linked to this repository (so the user's file and the CLI share one copy of the library, as in
// an installed package), and the built bin run as users run it: `node <repo>/dist/cli/main.js`.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freshTestStore } from "../../helpers/test-store.js";
import { waitUntil } from "../../helpers/wait-until.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(REPO, "dist/cli/main.js");

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A process of the CLI left running (a worker, dev), with its output so far. */
export interface Background {
  child: ChildProcess;
  output(): string;
  /** Waits until stdout and stderr together match `pattern`; returns the match. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves to the exit code once the process has exited by itself. */
  exited: Promise<number | null>;
  /** Sends `signal` (SIGINT: Ctrl-C) and resolves to the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface CliProject {
  dir: string;
  /** The store every command of the project uses (ENDURE_STORE), on the store this suite runs on. */
  store: string;
  write(file: string, text: string): void;
  /** Runs `endure ...args` to its end. */
  run(...args: string[]): Promise<Result>;
  /** Starts `endure ...args` in the background; stopped (SIGINT) when the test ends. */
  start(...args: string[]): Background;
}

export async function cliProject(t: { after(fn: () => unknown): void }): Promise<CliProject> {
  const store = freshTestStore("endure-cli-");
  const backgrounds: Background[] = [];
  // The processes first, then their store.
  t.after(async () => {
    await Promise.all(backgrounds.map((background) => background.stop()));
    await store.cleanup();
  });
  const dir = store.dir;
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules/endure"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cli-test-project", private: true, type: "module" }));
  const env = { ...process.env, ENDURE_STORE: store.url, NO_COLOR: "1" };
  const spawnCli = (args: string[]) => spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  return {
    dir,
    store: store.url,
    write: (file, text) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    },
    run: (...args) =>
      new Promise((resolvePromise, reject) => {
        const child = spawnCli(args);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolvePromise({ code, stdout, stderr }));
      }),
    start: (...args) => {
      const background = backgroundProcess(spawnCli(args));
      backgrounds.push(background);
      return background;
    },
  };
}

function backgroundProcess(child: ChildProcess): Background {
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // A process ended by a signal has no exit code: its output says which signal, for the assertion's message.
  const exited = new Promise<number | null>((resolvePromise) =>
    child.on("exit", (code, signal) => {
      if (signal !== null) output += `\n[the process was ended by ${signal}]\n`;
      resolvePromise(code);
    }),
  );
  return {
    child,
    exited,
    output: () => output,
    waitFor: async (pattern, timeoutMs = 15_000) => {
      try {
        return await waitUntil(() => output.match(pattern), String(pattern), timeoutMs, 20);
      } catch (error) {
        throw new Error(`${(error as Error).message}; endure printed:\n${output}`);
      }
    },
    stop: (signal = "SIGINT") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
