// A throwaway PostgreSQL cluster for tests: initdb in a temp directory, listening on 127.0.0.1 on a
// free port, run as the `postgres` user when the tests run as root (PostgreSQL refuses root).
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How to enable the PostgreSQL tests where they were skipped. */
export const POSTGRES_HINT =
  "PostgreSQL tests skipped: install the server (Debian: apt-get install postgresql) or set DATABASE_URL to a server the tests may use.";

/** The directory of `initdb`/`pg_ctl`: `PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin`. */
export function findPostgresBinaries(): string | undefined {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : versionedBinDirs();
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl")));
}

function versionedBinDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((version) => /^\d+$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, "bin"));
}

/** The password of the `postgres` user of every throwaway cluster. */
export const PASSWORD = "endure-test";

export interface PostgresServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** The cluster's data directory (its `postmaster.pid` names the server's process). */
  readonly dataDir: string;
  /** Stops the server (fast shutdown: open connections are cut), keeping its data. */
  stop(): void;
  /** Starts it again on the same port after `stop()`. */
  start(): void;
  /** Stops it and removes its data. */
  destroy(): void;
}

export interface StartPostgresOptions {
  /** The directory of `initdb`/`pg_ctl` (default: {@link findPostgresBinaries}). */
  binaries?: string;
  /**
   * Every commit flushed to disk (`fsync`, `synchronous_commit`, `full_page_writes` on), as in
   * production: for benchmarks. The default (off) suits tests, which check Endure, not the disk.
   */
  durable?: boolean;
}

/**
 * Starts a fresh cluster. Its data lives in a temp directory until `destroy()`. Takes the binaries'
 * directory, or options.
 */
export async function startPostgres(options: string | StartPostgresOptions = {}): Promise<PostgresServer> {
  const { binaries = findPostgresBinaries(), durable = false } = typeof options === "string" ? { binaries: options } : options;
  if (!binaries) throw new Error(POSTGRES_HINT);
  const dir = mkdtempSync(join(tmpdir(), "endure-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    // The postgres user needs to reach the directory and own what it writes into it.
    chmodSync(dir, 0o755);
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const command = asRoot ? "runuser" : join(binaries, tool);
    const fullArgs = asRoot ? ["-u", "postgres", "--", join(binaries, tool), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: "utf8", cwd: dir });
    if (result.status !== 0) {
      const serverLog = existsSync(log) ? execFileSync("tail", ["-n", "30", log], { encoding: "utf8" }) : "";
      throw new Error(`${tool} ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}${result.stdout}\n${serverLog}`);
    }
  };
  // Connections over TCP need the password, so tests can see wrong credentials refused.
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  run("initdb", [
    "-D", data, "-U", "postgres", `--pwfile=${passwordFile}`, "--auth-local=trust", "--auth-host=scram-sha-256",
    "--encoding=UTF8", "--locale=C", "--no-sync",
  ]);
  const port = await freePort();
  // Tuned for a throwaway test cluster: many connections (worker processes), and fsync off
  // because the tests check Endure's guarantees, not the disk's (benchmarks ask for `durable`).
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `port = ${port}`,
    `unix_socket_directories = '${dir}'`,
    "max_connections = 300",
    ...(durable ? ["fsync = on", "full_page_writes = on", "synchronous_commit = on"] : ["fsync = off", "full_page_writes = off", "synchronous_commit = off"]),
  ];
  // Appending as root keeps the file's owner (postgres).
  appendFileSync(join(data, "postgresql.conf"), `\n# endure test cluster\n${settings.join("\n")}\n`);
  const start = () => run("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "start"]);
  const stop = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
  start();
  let running = true;
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir: data,
    stop() {
      stop();
      running = false;
    },
    start() {
      start();
      running = true;
    },
    destroy() {
      if (running) {
        try {
          stop();
        } catch {
          // already gone; the data is removed below either way
        }
        running = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** A port nothing listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  return await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
