// failStep() and mockStep(): faults and fakes of steps, with retries and back-off on virtual time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NonRetryableError, RunFailedError, step, stepContext, workflow } from "../../src/index.js";
import { createTestEnv } from "../../src/testing/index.js";

const START = Date.UTC(2026, 0, 1);
const SECOND = 1000;

const realCalls: string[] = [];
const charge = step("step-faults-charge", async (user: string, cents: number) => {
  realCalls.push(`${user}:${cents}`);
  return `receipt for ${user}`;
}, { retry: { maxAttempts: 4, initialDelay: "10s", backoffFactor: 3 } });
const billing = workflow("step-faults-billing", async (user: string) => await charge(user, 500));

describe("failStep()", () => {
  it("the next N attempts fail, then the step runs; each retry waits its back-off in virtual time", async (t) => {
    const env = await createTestEnv({ workflows: [billing], startTime: START });
    t.after(() => env.close());
    realCalls.length = 0;
    env.failStep("step-faults-charge", { times: 2 });
    const run = await env.start(billing, ["ada"]);
    assert.equal(await run.result(), "receipt for ada");
    assert.deepEqual(realCalls, ["ada:500"], "the failed attempts did not run the step");
    // Back-off: 10 s after attempt 1, 30 s after attempt 2.
    assert.equal(env.now(), START + 40 * SECOND);
    const [entry] = await env.journal(run.id);
    assert.deepEqual(entry, { kind: "step", name: "step-faults-charge", status: "completed", attempts: 3, output: "receipt for ada" });
  });

  it("more failures than attempts fail the step with the injected error; a NonRetryableError fails it at once", async (t) => {
    const env = await createTestEnv({ workflows: [billing], startTime: START });
    t.after(() => env.close());
    env.failStep("step-faults-charge", { times: 9 });
    const error = await env.execute(billing, ["bob"]).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof RunFailedError);
    assert.match((error.cause as Error).message, /env\.failStep\("step-faults-charge"\) made attempt 4 fail \(injected failure 4 of 9\)/);
    env.restoreSteps();
    env.failStep("step-faults-charge", { times: 1, error: new NonRetryableError("card declined") });
    const started = env.now();
    const declined = await env.execute(billing, ["cy"]).catch((thrown: unknown) => thrown);
    assert.ok(declined instanceof RunFailedError);
    assert.equal((declined.cause as Error).message, "card declined");
    assert.equal(env.now(), started, "no back-off was waited");
  });

  it("refuses bad input with what to pass instead", async (t) => {
    const env = await createTestEnv({ workflows: [billing] });
    t.after(() => env.close());
    assert.throws(() => env.failStep("step-faults-charge", { times: 0 }), {
      code: "INVALID_ARGUMENT",
      message: 'env.failStep("step-faults-charge"): times must be a whole number of at least 1 (how many attempts fail); got 0.',
    });
    assert.throws(() => env.failStep("", { times: 1 }), { code: "INVALID_ARGUMENT", message: /must be a step's name \(the name given to step\(\)\); got ""/ });
    assert.throws(() => env.mockStep("step-faults-charge", "nope" as never), { code: "INVALID_ARGUMENT", message: /the mock must be a function/ });
  });
});

describe("mockStep()", () => {
  it("replaces the step's body: the mock gets its arguments and stepContext(), and its result is journaled", async (t) => {
    const env = await createTestEnv({ workflows: [billing] });
    t.after(() => env.close());
    realCalls.length = 0;
    const seen: unknown[] = [];
    env.mockStep("step-faults-charge", (user: string, cents: number) => {
      seen.push([user, cents, stepContext().attempt]);
      return `fake receipt for ${user}`;
    });
    const run = await env.start(billing, ["dee"]);
    assert.equal(await run.result(), "fake receipt for dee");
    assert.deepEqual(seen, [["dee", 500, 1]]);
    assert.deepEqual(realCalls, []);
    await env.expectJournal(run.id, [{ kind: "step", name: "step-faults-charge", output: "fake receipt for dee" }]);
    env.restoreSteps();
    assert.equal(await env.execute(billing, ["eve"]), "receipt for eve", "restoreSteps() puts the real step back");
  });

  it("injected failures come before the mock", async (t) => {
    const env = await createTestEnv({ workflows: [billing] });
    t.after(() => env.close());
    env.mockStep("step-faults-charge", () => "mocked");
    env.failStep("step-faults-charge", { times: 1 });
    const run = await env.start(billing, ["fay"]);
    assert.equal(await run.result(), "mocked");
    await env.expectJournal(run.id, [{ name: "step-faults-charge", attempts: 2 }]);
  });
});
