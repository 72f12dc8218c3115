// The subscription trial tested on virtual time with node:test: 37 days of it in milliseconds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RunFailedError } from "../../src/index.js";
import { createTestEnv } from "../../src/testing/index.js";
import { trial } from "./trial.js";

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

describe("subscription trial", () => {
  it("no payment within 7 days of the reminder: the trial is cancelled on day 37", async (t) => {
    const env = await createTestEnv({ workflows: [trial], startTime: START });
    t.after(() => env.close());
    env.mockStep("send-reminder", () => ({ sent: true })); // no mail from tests

    const run = await env.start(trial, ["ada"]);
    const result = await run.result(); // skips the 30 days, then the 7-day timeout

    assert.deepEqual(result, { user: "ada", outcome: "cancelled", startedAt: START, endedAt: START + 37 * DAY });
    await env.expectJournal(run.id, [
      { kind: "now" },
      { kind: "sleep", status: "completed" },
      { kind: "step", name: "send-reminder", status: "completed" },
      { kind: "event", name: "payment", output: null }, // the timeout
      { kind: "step", name: "cancel-trial", status: "completed" },
      { kind: "now" },
    ]);
  });

  it("paid on day 33: the plan is activated then", async (t) => {
    const env = await createTestEnv({ workflows: [trial], startTime: START });
    t.after(() => env.close());
    env.mockStep("send-reminder", () => ({ sent: true }));

    const run = await env.start(trial, ["bob"]);
    await env.advance("33 days");
    await env.send(run.id, "payment", { plan: "pro" });

    assert.deepEqual(await run.result(), { user: "bob", outcome: "subscribed", plan: "pro", startedAt: START, endedAt: START + 33 * DAY });
  });

  it("the billing API fails twice: the step retries on virtual time and the plan is activated", async (t) => {
    const env = await createTestEnv({ workflows: [trial], startTime: START });
    t.after(() => env.close());
    env.mockStep("send-reminder", () => ({ sent: true }));
    env.failStep("activate-plan", { times: 2 });

    const run = await env.start(trial, ["cy"]);
    await env.advance("31 days");
    await env.send(run.id, "payment", { plan: "team" });

    const result = await run.result();
    assert.equal(result.outcome, "subscribed");
    const [activation] = (await env.journal(run.id)).filter((entry) => entry.name === "activate-plan");
    assert.equal(activation?.attempts, 3);
  });

  it("the billing API fails for good: the run fails with its error", async (t) => {
    const env = await createTestEnv({ workflows: [trial] });
    t.after(() => env.close());
    env.mockStep("send-reminder", () => ({ sent: true }));
    env.mockStep("activate-plan", () => {
      throw new Error("billing is down");
    });

    const run = await env.start(trial, ["dee"]);
    await env.advance("30 days");
    await env.send(run.id, "payment", { plan: "pro" });

    await assert.rejects(run.result(), (error: unknown) => error instanceof RunFailedError && (error.cause as Error).message === "billing is down");
  });
});
