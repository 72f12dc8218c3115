// The CLI driven as a user drives it: a worker process serving a real TypeScript file, and the
// client commands run one after another against the same store.
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { type CliProject, cliProject } from "./helpers/cli-project.js";

const WORKFLOWS = `
import { NonRetryableError, sleep, step, waitForEvent, workflow } from "endure";

const double = step("double", async (x: number) => x * 2);
const addOne = step("add-one", async (x: number) => x + 1);
const charge = step("charge", async (order: string) => {
  throw new NonRetryableError(\`card declined for \${order}\`);
});

export const math = workflow("math", async (x: number) => {
  const doubled = await double(x);
  await sleep(50);
  return await addOne(doubled);
});

export const approval = workflow("approval", async (order: string) => {
  const decision = await waitForEvent<{ approved: boolean }>("decision");
  return { order, approved: decision?.approved ?? false };
});

export const nap = workflow("nap", async () => {
  await sleep("1h");
});

export const checkout = workflow("checkout", async (order: string) => {
  const total = await double(21);
  return await charge(order) ?? total;
});
`;

/** The run as `show --json` prints it. */
async function showJson(project: CliProject, id: string): Promise<{ status: string; output?: unknown; error?: { message: string } }> {
  const shown = await project.run("show", id, "--json");
  assert.equal(shown.code, 0, shown.stderr);
  return JSON.parse(shown.stdout) as { status: string; output?: unknown };
}

async function untilStatus(project: CliProject, id: string, status: string) {
  return await waitUntil(async () => {
    const run = await showJson(project, id);
    return run.status === status ? run : undefined;
  }, `run ${id} to be ${status}`, 15_000, 50);
}

async function withWorker(t: { after(fn: () => unknown): void }) {
  const project = await cliProject(t);
  project.write("src/workflows.ts", WORKFLOWS);
  const worker = project.start("worker", "src/workflows.ts");
  await worker.waitFor(/Worker running workflows .*math/);
  return { project, worker };
}

test("start --wait shows each step as it completes, then the result, and exits 0", async (t) => {
  const { project, worker } = await withWorker(t);
  const started = await project.run("start", "math", "[20]", "--id", "math-1", "--wait");
  assert.equal(started.code, 0, started.stderr);
  const lines = started.stdout.split("\n");
  const double = lines.findIndex((line) => /✓ step "double" .* 40$/.test(line));
  const sleep = lines.findIndex((line) => /✓ sleep /.test(line));
  const addOne = lines.findIndex((line) => /✓ step "add-one" .* 41$/.test(line));
  assert.ok(double >= 0 && double < sleep && sleep < addOne, started.stdout);
  assert.match(started.stdout, /^completed in \S+\n41\n$/m);
  assert.equal(started.stderr, "");
  // The worker logs each run's events as JSON lines (pino).
  await worker.waitFor(/"msg":"run finished"/);
  const finished = worker.output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.ok(finished.some((line) => line.msg === "run finished" && line.runId === "math-1" && line.status === "completed"), worker.output());

  // One JSON argument that is not an array is the only argument; --json prints only the run.
  const json = await project.run("start", "math", "1", "--wait", "--json");
  assert.equal(json.code, 0, json.stderr);
  const run = JSON.parse(json.stdout) as { status: string; output: number; input: number[]; journal: unknown[] };
  assert.deepEqual([run.status, run.output, run.input, run.journal.length], ["completed", 3, [1], 3]);
});

test("list prints a table, filters by status and workflow, and --json for scripts", async (t) => {
  const { project } = await withWorker(t);
  assert.equal((await project.run("start", "math", "[1]", "--id", "m1", "--tag", "batch-7", "--wait")).code, 0);
  assert.equal((await project.run("start", "checkout", '"order-9"', "--id", "c1", "--wait")).code, 1);

  const table = await project.run("list");
  assert.equal(table.code, 0, table.stderr);
  const [header, ...rows] = table.stdout.trimEnd().split("\n");
  assert.match(header!, /^ID\s+WORKFLOW\s+STATUS\s+CREATED\s+TOOK\s+TAGS$/);
  assert.deepEqual(rows.map((row) => row.split(/\s+/).slice(0, 3)), [["c1", "checkout", "failed"], ["m1", "math", "completed"]]);
  assert.match(rows[1]!, /batch-7$/);

  const failed = JSON.parse((await project.run("list", "--status", "failed", "--json")).stdout) as { runs: { id: string }[] };
  assert.deepEqual(failed.runs.map((run) => run.id), ["c1"]);
  const maths = JSON.parse((await project.run("list", "--workflow", "math", "--json")).stdout) as { runs: { id: string }[] };
  assert.deepEqual(maths.runs.map((run) => run.id), ["m1"]);
  const page = JSON.parse((await project.run("list", "--limit", "1", "--json")).stdout) as { runs: { id: string }[]; nextCursor: string };
  assert.deepEqual(page.runs.map((run) => run.id), ["c1"]);
  const next = JSON.parse((await project.run("list", "--cursor", page.nextCursor, "--json")).stdout) as { runs: { id: string }[] };
  assert.deepEqual(next.runs.map((run) => run.id), ["m1"]);
  assert.equal((await project.run("list", "--status", "waiting")).stdout, "No runs.\n");
});

test("show prints the run and its journal as a timeline; a failed run's error; exit 1 from start --wait", async (t) => {
  const { project } = await withWorker(t);
  const failed = await project.run("start", "checkout", '"order-9"', "--id", "c1", "--wait");
  assert.equal(failed.code, 1);
  assert.match(failed.stdout, /✗ step "charge" .*NonRetryableError: card declined for order-9/);
  assert.match(failed.stdout, /^failed in .*\nNonRetryableError: card declined for order-9\n$/m);

  const shown = await project.run("show", "c1");
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /^Run c1 {2}checkout {2}failed$/m);
  assert.match(shown.stdout, /^ {2}input {5}\["order-9"\]$/m);
  assert.match(shown.stdout, /^ {2}error {5}NonRetryableError: card declined for order-9$/m);
  const timeline = shown.stdout.slice(shown.stdout.indexOf("#  KIND")).trimEnd().split("\n");
  assert.match(timeline[0]!, /^#\s+KIND\s+NAME\s+STATUS\s+ATTEMPTS\s+STARTED\s+TOOK\s+OUTPUT \/ ERROR$/);
  assert.match(timeline[1]!, /^0\s+step\s+double\s+completed\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\S+\s+42$/);
  assert.match(timeline[2]!, /^1\s+step\s+charge\s+failed\s+1\s+.*NonRetryableError: card declined for order-9$/);
  assert.equal(timeline.length, 3);
});

test("send delivers an event to a waiting run", async (t) => {
  const { project } = await withWorker(t);
  const started = await project.run("start", "approval", '"order-7"', "--id", "a1");
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /Started run a1 of approval/);
  await untilStatus(project, "a1", "waiting");
  const again = await project.run("start", "approval", '"order-7"', "--id", "a1", "--json");
  assert.deepEqual(JSON.parse(again.stdout), { id: "a1", status: "waiting", created: false });
  const waiting = await project.run("show", "a1");
  assert.match(waiting.stdout, /^Run a1 {2}approval {2}waiting\n {2}Waiting for event "decision" since /);
  assert.match(waiting.stdout, /waits for {1}event "decision"/);

  const sent = await project.run("send", "a1", "decision", '{"approved": true}');
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.stdout, 'Sent event "decision" to run a1.\n');
  const run = await untilStatus(project, "a1", "completed");
  assert.deepEqual(run.output, { order: "order-7", approved: true });

  const late = await project.run("send", "a1", "decision", "{}");
  assert.equal(late.code, 1);
  assert.match(late.stderr, /^endure: Run "a1" is already completed, so it cannot receive event "decision"\. \(RUN_FINISHED\)\n$/);
});

test("cancel ends a sleeping run cancelled; start --wait on it exits 1", async (t) => {
  const { project } = await withWorker(t);
  assert.equal((await project.run("start", "nap", "--id", "n1")).code, 0);
  await untilStatus(project, "n1", "waiting");
  const cancelled = await project.run("cancel", "n1");
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /n1/);
  await untilStatus(project, "n1", "cancelled");
  const waited = await project.run("start", "nap", "--id", "n1", "--wait");
  assert.equal(waited.code, 1);
  assert.match(waited.stdout, /^cancelled/m);
  const json = JSON.parse((await project.run("cancel", "n1", "--json")).stdout) as { id: string; status: string };
  assert.deepEqual(json, { id: "n1", status: "cancelled" });
});

test("retry runs a failed run again once the file is fixed and the worker restarted", async (t) => {
  const { project, worker } = await withWorker(t);
  assert.equal((await project.run("start", "checkout", '"order-9"', "--id", "c1", "--wait")).code, 1);
  assert.equal(await worker.stop(), 0);

  project.write("src/workflows.ts", WORKFLOWS.replace("throw new NonRetryableError(`card declined for ${order}`);", "return `receipt for ${order}`;"));
  const fixed = project.start("worker", "src/workflows.ts");
  await fixed.waitFor(/Worker running/);
  const retried = await project.run("retry", "c1");
  assert.equal(retried.code, 0, retried.stderr);
  assert.match(retried.stdout, /Run c1 is pending again/);
  const run = await untilStatus(project, "c1", "completed");
  assert.equal(run.output, "receipt for order-9");

  const again = await project.run("retry", "c1");
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^endure: Run "c1" is completed; only failed or blocked runs can be retried\..*\(RUN_NOT_RETRYABLE\)\n$/);
});

test("start --wait says when no worker serves the workflow, and goes on once one starts", async (t) => {
  const { project, worker } = await withWorker(t);
  assert.equal(await worker.stop(), 0, worker.output());
  const waiting = project.start("start", "math", "[1]", "--wait");
  await waiting.waitFor(/Pending since .*, but no live worker serves workflow "math": start one \(endure worker <file>\)\./);
  project.start("worker", "src/workflows.ts");
  assert.equal(await waiting.exited, 0);
  assert.match(waiting.output(), /^completed in \S+\n3\n/m);
});
