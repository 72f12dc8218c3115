// endure worker --code-version / --compatible-with, endure show and endure retry --pin, as a user runs them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cliProject } from "./helpers/cli-project.js";

const WORKFLOWS = `
import { NonRetryableError, step, workflow } from "endure";

const charge = step("charge", async (order: string) => {
  throw new NonRetryableError(\`card declined for \${order}\`);
});

export const checkout = workflow("checkout", async (order: string) => await charge(order));
`;
const FIXED = WORKFLOWS.replace("throw new NonRetryableError(`card declined for ${order}`);", "return `receipt for ${order}`;");

test("a run failed on one version is shown pinned to it, and retry --pin hands it to the workers of another", async (t) => {
  const project = await cliProject(t);
  project.write("src/workflows.ts", WORKFLOWS);
  const bad = project.start("worker", "src/workflows.ts", "--code-version", "2026-11-26.1");
  await bad.waitFor(/Worker running workflows checkout at version 2026-11-26\.1\./);
  assert.equal((await project.run("start", "checkout", '"order-9"', "--id", "c1", "--wait")).code, 1);
  const shown = await project.run("show", "c1");
  assert.match(shown.stdout, /^ {2}version {3}2026-11-26\.1 \(pinned\)$/m, shown.stdout);

  // The fix is deployed beside the bad version, which stays up.
  project.write("src/fixed.ts", FIXED);
  const good = project.start("worker", "src/fixed.ts", "--code-version", "2026-11-26.2", "--compatible-with", "2026-11-20.3, 2026-11-24.1");
  await good.waitFor(/Worker running workflows checkout at version 2026-11-26\.2 \(compatible with 2026-11-20\.3, 2026-11-24\.1\)\./);
  const retried = await project.run("retry", "c1", "--pin", "2026-11-26.2");
  assert.equal(retried.code, 0, retried.stderr);
  assert.match(retried.stdout, /^Run c1 is pending again; a worker of its workflow serving version 2026-11-26\.2 takes it up\.$/m);
  const done = await project.run("start", "checkout", '"order-9"', "--id", "c1", "--wait", "--json");
  const run = JSON.parse(done.stdout) as { status: string; output: string; version: string };
  assert.deepEqual([run.status, run.output, run.version], ["completed", "receipt for order-9", "2026-11-26.2"]);
  const listed = await project.run("list");
  assert.match(listed.stdout, /^ID\s+WORKFLOW\s+STATUS\s+CREATED\s+TOOK\s+TAGS\s+VERSION$/m);
  assert.match(listed.stdout, /^c1\s+checkout\s+completed\s.*2026-11-26\.2$/m);
});

test("worker refuses --compatible-with without a version, and an empty --pin, saying what to give", async (t) => {
  const project = await cliProject(t);
  project.write("src/workflows.ts", WORKFLOWS);
  const refused = await project.run("worker", "src/workflows.ts", "--compatible-with", "v1");
  assert.equal(refused.code, 2, "a bad option is a usage error");
  assert.match(refused.stderr, /compatibleWith needs a version: give the version of this worker's code too/);
  const pin = await project.run("retry", "c1", "--pin", "");
  assert.equal(pin.code, 2, "a bad argument is a usage error");
  assert.match(pin.stderr, /retry\(\): version must be a version of your code .*; got ""\./);
  const help = await project.run("worker", "--help");
  assert.match(help.stdout, /--code-version <version> .*\(env: ENDURE_VERSION\)/s);
});
