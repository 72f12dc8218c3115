// The test command (`npm test` runs it after build, typecheck and lint):
//
//   tsx test/run-tests.ts [test files...]
//
// 1. PostgreSQL: with DATABASE_URL set, that server is used as is. Otherwise, where PostgreSQL's
//    server binaries exist, a throwaway cluster is started for the run and removed after.
//    Neither: the PostgreSQL tests skip with a one-line hint, unless ENDURE_REQUIRE_POSTGRES=1
//    (CI), which fails instead.
// 2. Every test file runs once, on the SQLite store.
// 3. With PostgreSQL, the store-agnostic suites (engine, client, worker, crash, examples) run
//    again with ENDURE_TEST_STORE=postgres.
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { findPostgresBinaries, POSTGRES_HINT, type PostgresServer, startPostgres } from "./helpers/postgres-server.js";

const STORE_AGNOSTIC = ["test/engine/", "test/client/", "test/worker/", "test/crash/", "examples/", /* ---- server ---- */ "test/server/", /* ---- observability ---- */ "test/observability/", /* ---- cli ---- */ "test/cli/"];
// The examples keep their bank's tables in the database's default schema, which on PostgreSQL every
// test shares: they run one at a time, after the other files. The scale-out test measures how
// worker processes share runs, which needs the machine's cores to itself.
const SERIAL = ["examples/", "test/crash/scale-out.test.ts"];

const given = process.argv.slice(2);
const files = given.length > 0 ? given : findTests(["src", "test", "examples"]);

let server: PostgresServer | undefined;
const cleanUp = () => server?.destroy();
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

if (!process.env.DATABASE_URL) {
  const binaries = findPostgresBinaries();
  if (binaries) {
    server = await startPostgres(binaries);
    process.env.DATABASE_URL = server.url;
    console.log(`PostgreSQL tests use a throwaway server at ${server.url}`);
  } else if (process.env.ENDURE_REQUIRE_POSTGRES === "1") {
    console.error(`ENDURE_REQUIRE_POSTGRES=1 but no PostgreSQL is available. ${POSTGRES_HINT}`);
    process.exit(1);
  } else {
    console.log(POSTGRES_HINT);
  }
}

let failed = (await runTests(files, {})) !== 0;
const agnostic = files.filter((file) => STORE_AGNOSTIC.some((prefix) => file.startsWith(prefix)));
if (process.env.DATABASE_URL && agnostic.length > 0) {
  console.log(`\nThe store-agnostic suites again, on PostgreSQL (${agnostic.length} files)`);
  failed = (await runTests(agnostic, { ENDURE_TEST_STORE: "postgres" })) !== 0 || failed;
}
process.exitCode = failed ? 1 : 0;

async function runTests(testFiles: string[], env: Record<string, string>): Promise<number> {
  const serial = testFiles.filter((file) => SERIAL.some((prefix) => file.startsWith(prefix)));
  const parallel = testFiles.filter((file) => !serial.includes(file));
  let failures = 0;
  if (parallel.length > 0) failures += await runNodeTest(parallel, 2, env);
  if (serial.length > 0) failures += await runNodeTest(serial, 1, env);
  return failures;
}

function runNodeTest(testFiles: string[], concurrency: number, env: Record<string, string>): Promise<number> {
  const args = ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...testFiles];
  const child = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, ...env } });
  return new Promise((resolve) => child.on("close", (code) => resolve(code === 0 ? 0 : 1)));
}

function findTests(roots: string[]): string[] {
  return roots
    .flatMap((root) => readdirSync(root, { recursive: true, encoding: "utf8" }).map((file) => join(root, file)))
    .filter((file) => file.endsWith(".test.ts"))
    .sort();
}
