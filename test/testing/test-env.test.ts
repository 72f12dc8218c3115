// The test env itself: stalls reported with what the run waits for, journal assertions, bad input,
// and close().
import assert from "node:assert/strict";
import { AssertionError } from "node:assert";
import { describe, it } from "node:test";
import { now, sleep, step, waitForEvent, workflow } from "../../src/index.js";
import { createTestEnv, TestStalledError } from "../../src/testing/index.js";

const START = Date.UTC(2026, 0, 1);

const approval = workflow("test-env-approval", async (request: string) => {
  const decision = await waitForEvent<{ approved: boolean }>("decision");
  return `${request}: ${decision?.approved ? "approved" : "rejected"}`;
});

const greet = step("test-env-greet", async (name: string) => `hello ${name}`);
const greeter = workflow("test-env-greeter", async (name: string) => {
  const at = now();
  await sleep("1h");
  return `${await greet(name)} at ${at}`;
});

const other = workflow("test-env-other", async () => "not in the env");

describe("result() on a run that waits for what only the test can bring", () => {
  it("rejects with TEST_STALLED, saying what the run waits for and what to do", async (t) => {
    const env = await createTestEnv({ workflows: [approval], startTime: START, stallGrace: "50ms" });
    t.after(() => env.close());
    const run = await env.start(approval, ["leave"], { id: "stalled-1" });
    const error = await run.result().catch((thrown: unknown) => thrown);
    assert.ok(error instanceof TestStalledError, `got ${String(error)}`);
    assert.equal(error.code, "TEST_STALLED");
    assert.equal(error.runId, "stalled-1");
    assert.equal(error.diagnosis?.reason, "waiting-for-event");
    assert.match(error.message, /^Run "stalled-1" cannot finish on its own: Waiting for event "decision" since 2026-01-01T00:00:00\.000Z \(now\)\. No timer is left to skip to, and nothing happened for 50 ms\. /);
    assert.match(error.message, /Send the event with env\.send\("stalled-1", name, payload\) before awaiting the result \(or while it is awaited\), or give the waitForEvent\(\) a timeout\.$/);
  });

  it("an event sent while result() waits lets the run finish", async (t) => {
    const env = await createTestEnv({ workflows: [approval], stallGrace: "10s" });
    t.after(() => env.close());
    const run = await env.start(approval, ["laptop"]);
    const result = run.result();
    await env.send(run.id, "decision", { approved: true });
    assert.equal(await result, "laptop: approved");
  });
});

describe("journal assertions", () => {
  it("journal() reads each durable call compactly, outputs decoded", async (t) => {
    const env = await createTestEnv({ workflows: [greeter], startTime: START });
    t.after(() => env.close());
    const run = await env.start(greeter, ["ada"]);
    assert.deepEqual(await env.journal(run.id), [
      { kind: "now", name: "now", status: "completed", output: START },
      { kind: "sleep", name: "sleep", status: "waiting" },
    ]);
    await run.result();
    await env.expectJournal(run.id, [
      { kind: "now", output: START },
      { kind: "sleep", status: "completed" },
      { kind: "step", name: "test-env-greet", status: "completed", attempts: 1, output: "hello ada" },
    ]);
  });

  it("expectJournal() throws node:assert's AssertionError naming the run, with a diff of the fields compared", async (t) => {
    const env = await createTestEnv({ workflows: [greeter] });
    t.after(() => env.close());
    const run = await env.start(greeter, ["bob"], { id: "journal-mismatch" });
    await run.result();
    const error = await env.expectJournal(run.id, [
      { kind: "now" },
      { kind: "sleep" },
      { kind: "step", output: "hello alice" },
    ]).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof AssertionError, `got ${String(error)}`);
    assert.equal(error.code, "ERR_ASSERTION");
    assert.match(error.message, /^The journal of run "journal-mismatch" is not the expected one \(compared on the fields each expected entry names\):\n/);
    assert.match(error.message, /\+\s+output: 'hello bob'/);
    assert.match(error.message, /-\s+output: 'hello alice'/);
    assert.deepEqual(error.expected, [{ kind: "now" }, { kind: "sleep" }, { kind: "step", output: "hello alice" }]);

    const missing = await env.expectJournal(run.id, [{ kind: "now" }]).catch((thrown: unknown) => thrown);
    assert.ok(missing instanceof AssertionError);
    assert.match(missing.message, /kind: 'sleep'/, "entries past the expected ones are shown whole");
  });
});

describe("bad input", () => {
  it("is refused with what was wrong and what to do", async (t) => {
    await assert.rejects(createTestEnv(undefined as never), {
      code: "INVALID_ARGUMENT",
      message: "createTestEnv() needs the workflows to test, e.g. createTestEnv({ workflows: [signUp] }).",
    });
    await assert.rejects(createTestEnv({ workflows: [greeter], stallGrace: -1 }), { code: "INVALID_ARGUMENT", message: /^createTestEnv\(\): stallGrace must be a non-negative number/ });
    const env = await createTestEnv({ workflows: [greeter, approval] });
    t.after(() => env.close());
    await assert.rejects(env.start(other, []), {
      code: "INVALID_ARGUMENT",
      message: 'env.start(): workflow "test-env-other" is not one this test env runs (it runs "test-env-greeter", "test-env-approval"). Add it to createTestEnv({ workflows }).',
    });
    await assert.rejects(env.execute("no-such-workflow", []), { code: "UNKNOWN_WORKFLOW" });
    await assert.rejects(env.advance(-5), {
      code: "INVALID_ARGUMENT",
      message: 'env.advance(): the duration must be a non-negative number of milliseconds or a string such as "90s" or "3 days"; got -5.',
    });
    await assert.rejects(env.advance("-1 day"), { code: "INVALID_ARGUMENT" });
    await assert.rejects(env.result("no-such-run"), { code: "RUN_NOT_FOUND" });
    await assert.rejects(env.expectJournal("x", "nope" as never), { code: "INVALID_ARGUMENT", message: /expected must be an array of entries/ });
  });
});

describe("close()", () => {
  it("leaves nothing running: no timer, no run in memory; the env refuses further use", async () => {
    const before = timers();
    const env = await createTestEnv({ workflows: [greeter, approval] });
    await env.start(approval, ["pending"]);
    const waiting = await env.start(greeter, ["later"]);
    assert.equal((await env.endure.get(waiting.id)).status, "waiting");
    await env.close();
    await env.close(); // twice is fine
    assert.equal(timers(), before, "every timer of the env is gone");
    await assert.rejects(env.advance("1s"), { code: "CLOSED" });
    await assert.rejects(env.execute(greeter, ["x"]), { code: "CLOSED" });
  });
});

/** Timers and intervals alive in this process. */
function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}
