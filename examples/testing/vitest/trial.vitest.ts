// The subscription trial tested on virtual time with vitest: the same test env as under node:test.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestEnv, type TestEnv } from "../../../src/testing/index.js";
import { trial } from "../trial.js";

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

describe("subscription trial (vitest)", () => {
  let env: TestEnv;
  beforeEach(async () => {
    env = await createTestEnv({ workflows: [trial], startTime: START });
    env.mockStep("send-reminder", () => ({ sent: true }));
  });
  afterEach(() => env.close());

  it("no payment: cancelled 37 days after the start", async () => {
    const result = await env.execute(trial, ["ada"]);
    expect(result).toEqual({ user: "ada", outcome: "cancelled", startedAt: START, endedAt: START + 37 * DAY });
  });

  it("paid on day 35: subscribed, and the journal says how", async () => {
    const run = await env.start(trial, ["bob"]);
    await env.advance("35 days");
    await env.send(run.id, "payment", { plan: "pro" });
    expect(await run.result()).toMatchObject({ outcome: "subscribed", plan: "pro", endedAt: START + 35 * DAY });
    await env.expectJournal(run.id, [
      { kind: "now" },
      { kind: "sleep" },
      { kind: "step", name: "send-reminder" },
      { kind: "event", name: "payment", output: { plan: "pro" } },
      { kind: "step", name: "activate-plan", attempts: 1 },
      { kind: "now" },
    ]);
  });
});
