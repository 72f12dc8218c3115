// Virtual time: long sleeps and event timeouts finish at once, and each run sees now() at its
// exact wake-up time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { now, sleep, step, waitForEvent, workflow } from "../../src/index.js";
import { createTestEnv } from "../../src/testing/index.js";

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

const trial = workflow("virtual-time-trial", async () => {
  const startedAt = now();
  await sleep("30 days");
  const wokeAt = now();
  const payment = await waitForEvent<{ plan: string }>("payment", { timeout: "7 days" });
  return { startedAt, wokeAt, payment, endedAt: now() };
});

const sleeper = workflow("virtual-time-sleeper", async (name: string, days: number) => {
  await sleep(days * DAY);
  return { name, wokeAt: now() };
});

const log = step("virtual-time-log", async (line: string) => line);
const ticker = workflow("virtual-time-ticker", async () => {
  for (let day = 1; day <= 3; day++) {
    await sleep("1 day");
    await log(`day ${day} at ${now()}`);
  }
});

describe("virtual time", () => {
  it("a 30-day sleep then a 7-day event timeout with no event: the run wakes exactly on time, the wait times out exactly 7 days later", async (t) => {
    const env = await createTestEnv({ workflows: [trial], startTime: START });
    t.after(() => env.close());
    const result = await env.execute(trial, []);
    assert.deepEqual(result, { startedAt: START, wokeAt: START + 30 * DAY, payment: null, endedAt: START + 37 * DAY });
    assert.equal(env.now(), START + 37 * DAY);
  });

  it("the event arrives within the 7 days: the run gets it at the time it was sent", async (t) => {
    const env = await createTestEnv({ workflows: [trial], startTime: START });
    t.after(() => env.close());
    const run = await env.start(trial, []);
    await env.advance("32 days");
    assert.equal((await env.endure.get(run.id)).status, "waiting", "after 32 days the run waits for the payment");
    await env.send(run.id, "payment", { plan: "pro" });
    assert.deepEqual(await run.result(), { startedAt: START, wokeAt: START + 30 * DAY, payment: { plan: "pro" }, endedAt: START + 32 * DAY });
    assert.equal(env.now(), START + 32 * DAY, "a finished run moves time no further");
  });

  it("advance() fires every timer due on the way, in due order, each run at its own wake-up time", async (t) => {
    const env = await createTestEnv({ workflows: [sleeper], startTime: START });
    t.after(() => env.close());
    const late = await env.start(sleeper, ["late", 3]);
    const early = await env.start(sleeper, ["early", 1]);
    const middle = await env.start(sleeper, ["middle", 2]);
    const never = await env.start(sleeper, ["never", 10]);
    await env.advance("5 days");
    assert.equal(env.now(), START + 5 * DAY);
    const finished = await Promise.all([early, middle, late].map(async (run) => (await env.endure.get(run.id)).finishedAt?.getTime()));
    assert.deepEqual(finished, [START + DAY, START + 2 * DAY, START + 3 * DAY]);
    assert.deepEqual(await late.result(), { name: "late", wokeAt: START + 3 * DAY });
    assert.equal((await env.endure.get(never.id)).status, "waiting", "a timer after the advance has not fired");
  });

  it("one run's timers fire one after the other as advance() passes them", async (t) => {
    const env = await createTestEnv({ workflows: [ticker], startTime: START });
    t.after(() => env.close());
    const run = await env.start(ticker, []);
    await env.advance("36 hours");
    const logged = (await env.journal(run.id)).filter((entry) => entry.kind === "step").map((entry) => entry.output);
    assert.deepEqual(logged, [`day 1 at ${START + DAY}`]);
    await env.advance("2 days");
    const all = (await env.journal(run.id)).filter((entry) => entry.kind === "step").map((entry) => entry.output);
    assert.deepEqual(all, [1, 2, 3].map((day) => `day ${day} at ${START + day * DAY}`));
  });

  it("a start delay and a run timeout are timers too", async (t) => {
    const env = await createTestEnv({ workflows: [sleeper], startTime: START });
    t.after(() => env.close());
    const delayed = await env.start(sleeper, ["delayed", 1], { delay: "2 days" });
    assert.deepEqual(await delayed.result(), { name: "delayed", wokeAt: START + 3 * DAY });
    const timedOut = await env.start(sleeper, ["timed-out", 30], { timeout: "1 day" });
    await assert.rejects(timedOut.result(), { code: "RUN_TIMEOUT" });
    assert.equal(env.now(), START + 4 * DAY);
  });
});
