// Bad input to the CLI: each mistake gets its exit code and one line that says what was wrong and
// what to do, without a stack trace, and nothing is written to the store.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type CliProject, cliProject, type Result } from "./helpers/cli-project.js";

const GREET = `
import { step, workflow } from "endure";
const hello = step("hello", async (name: string) => \`hello \${name}\`);
export const greet = workflow("greet", async (name: string) => await hello(name));
`;

/** One line on stderr, nothing on stdout, no stack trace. */
function assertOneLineError(result: Result, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code of: ${result.stderr}`);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^endure: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(result.stderr, /\bat .*:\d+:\d+/);
}

async function runIds(project: CliProject): Promise<string[]> {
  const listed = await project.run("list", "--json");
  assert.equal(listed.code, 0, listed.stderr);
  return (JSON.parse(listed.stdout) as { runs: { id: string }[] }).runs.map((run) => run.id);
}

test("bad input gets its exit code and a one-line message, and stores nothing", async (t) => {
  const project = await cliProject(t);
  project.write("greet.ts", GREET);
  const worker = project.start("worker", "greet.ts");
  await worker.waitFor(/Worker running workflows greet/);
  assert.equal((await project.run("start", "greet", '"ada"', "--id", "g1", "--wait")).code, 0);
  const before = await runIds(project);
  assert.deepEqual(before, ["g1"]);

  assertOneLineError(await project.run("start", "greet", "[ada]"), 2, /^endure: Invalid JSON for the workflow's arguments: .*e\.g\. '\["alice", 10\]'.*\(INVALID_JSON\)$/);
  assertOneLineError(await project.run("start", "greet", '"ada"', "--id", ""), 2, /\(INVALID_ARGUMENT\)$/);
  assertOneLineError(await project.run("start", "gret", '"ada"'), 2, /No workflow named "gret" is registered \(known: "greet"\).*\(UNKNOWN_WORKFLOW\)$/);
  assertOneLineError(await project.run("send", "g1", "decision", "{approved}"), 2, /Invalid JSON for the event's payload/);
  assertOneLineError(await project.run("show", "nope"), 3, /^endure: No run with id "nope" exists in this store\..*\(RUN_NOT_FOUND\)$/);
  assertOneLineError(await project.run("cancel", "nope"), 3, /\(RUN_NOT_FOUND\)$/);
  assertOneLineError(await project.run("retry", "nope"), 3, /\(RUN_NOT_FOUND\)$/);
  assertOneLineError(await project.run("send", "nope", "decision"), 3, /\(RUN_NOT_FOUND\)$/);
  assertOneLineError(await project.run("strat", "greet"), 2, /^endure: unknown command 'strat'.*Run "endure --help" for usage\.$/);
  assertOneLineError(await project.run("list", "--state", "failed"), 2, /^endure: unknown option '--state'.*Run "endure list --help" for usage\.$/);
  assertOneLineError(await project.run("list", "--limit", "many"), 2, /'--limit <n>' argument 'many' is invalid\. Use a whole number from 1 to 1000\./);
  assertOneLineError(await project.run("list", "--status", "done"), 2, /Allowed choices are queued, pending, running/);
  assertOneLineError(await project.run("show"), 2, /missing required argument 'id'/);
  assertOneLineError(await project.run("show", "g1", "extra"), 2, /too many arguments/);
  assert.deepEqual(await runIds(project), before);
});

test("a workflow file that is missing, does not compile or exports no workflow is refused in one line", async (t) => {
  const project = await cliProject(t);
  project.write("empty.ts", `import { step } from "endure";\nexport const hello = step("hello", async () => "hi");\n`);
  project.write("broken.ts", `import { workflow } from "endure";\nexport const w = workflow("w", async () => {\n  const x = ;\n});\n`);
  project.write("throws.ts", `throw new Error("DATABASE_URL is not set");\n`);

  assertOneLineError(await project.run("worker", "missing.ts"), 2, /^endure: The workflow file missing\.ts does not exist\..*\(WORKFLOW_FILE_NOT_FOUND\)$/);
  assertOneLineError(await project.run("worker", "broken.ts"), 2, /^endure: broken\.ts does not compile: broken\.ts:3:12: Unexpected ";" \(WORKFLOW_FILE_INVALID\)$/);
  assertOneLineError(await project.run("worker", "throws.ts"), 2, /^endure: throws\.ts failed to load: DATABASE_URL is not set \(WORKFLOW_FILE_INVALID\)$/);
  assertOneLineError(
    await project.run("worker", "empty.ts"),
    2,
    /^endure: empty\.ts exports no workflow\. Export each workflow the worker should run, e\.g\. export const transfer = workflow\(.*\(NO_WORKFLOWS\)$/,
  );
  assertOneLineError(await project.run("worker", "empty.ts", "--concurrency", "0"), 2, /'--concurrency <n>' argument '0' is invalid/);
  project.write("legacy/package.json", JSON.stringify({ type: "commonjs" }));
  project.write("legacy/workflows.ts", GREET);
  assertOneLineError(
    await project.run("worker", "legacy/workflows.ts"),
    2,
    /^endure: legacy\/workflows\.ts was loaded as CommonJS, and the endure package is ESM only\. Add "type": "module" to your package\.json, or name the file \.mts\. \(WORKFLOW_FILE_INVALID\)$/,
  );
  assert.deepEqual(await runIds(project), []);
});

test("--verbose adds the stack trace", async (t) => {
  const project = await cliProject(t);
  const result = await project.run("show", "nope", "--verbose");
  assert.equal(result.code, 3);
  assert.match(result.stderr, /^endure: No run with id "nope".*\nRunNotFoundError: .*\n\s+at /);
});

test("--help of every command says what it does and shows an example", async (t) => {
  const project = await cliProject(t);
  const help = await project.run("--help");
  assert.equal(help.code, 0);
  const commands = ["dev", "worker", "serve", "start", "list", "show", "send", "cancel", "retry"];
  for (const command of commands) assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
  assert.match(help.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n( {5}.*\n)? {2}3 .*\n {2}4 /);
  for (const command of commands) {
    const commandHelp = await project.run(command, "--help");
    assert.equal(commandHelp.code, 0, command);
    assert.match(commandHelp.stdout, new RegExp(`^Usage: endure ${command} `), command);
    assert.match(commandHelp.stdout, new RegExp(`Examples:\\n {2}\\$ endure ${command} `), command);
  }
});

test("a store that cannot be reached exits 4; a store URL that is not one exits 2", async (t) => {
  const project = await cliProject(t);
  assertOneLineError(await project.run("list", "--store", "postgres://endure@127.0.0.1:1/app"), 4, /127\.0\.0\.1:1.*\(STORE_UNAVAILABLE\)$/);
  assertOneLineError(await project.run("list", "--store", "mysql://localhost/app"), 2, /is not a store URL\. Use "sqlite:path\/to\/file\.db".*\(INVALID_ARGUMENT\)$/);
});
