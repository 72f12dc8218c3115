// Cron schedules on virtual time: advance() fires each tick in order, at its exact time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { now, waitForEvent, workflow } from "../../src/index.js";
import { createTestEnv, TestStalledError } from "../../src/testing/index.js";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 1);

const report = workflow("schedules-daily-report", async (team: string) => ({ team, at: now() }));
const approval = workflow("schedules-approval", async () => await waitForEvent("approved"));

describe("cron schedules on virtual time", () => {
  it("advance() fires every tick on the way, in order, each run reading its tick's time", async (t) => {
    const env = await createTestEnv({ workflows: [report], startTime: START });
    t.after(() => env.close());
    await env.endure.schedules.set("daily", { cron: "0 9 * * *", workflow: report, args: ["ops"] });
    await env.advance("3 days");

    const runs = (await env.endure.list({ workflow: report.name })).runs.sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(runs.map((run) => [run.id, run.status, run.output]), [0, 1, 2].map((day) => {
      const tick = START + day * DAY + 9 * HOUR;
      return [`schedule:daily:${new Date(tick).toISOString()}`, "completed", { team: "ops", at: tick }];
    }));
    assert.equal(env.now(), START + 3 * DAY);
  });

  it("a paused schedule fires nothing; once resumed, its next tick fires", async (t) => {
    const env = await createTestEnv({ workflows: [report], startTime: START });
    t.after(() => env.close());
    await env.endure.schedules.set("hourly", { cron: "0 * * * *", workflow: report, args: ["ops"] });
    await env.endure.schedules.pause("hourly");
    await env.advance("5 hours");
    assert.equal((await env.endure.list({ workflow: report.name })).runs.length, 0);
    await env.endure.schedules.resume("hourly");
    await env.advance("1 hour");
    assert.deepEqual((await env.endure.list({ workflow: report.name })).runs.map((run) => run.output), [{ team: "ops", at: START + 6 * HOUR }]);
  });

  it("result() does not tick a cron to keep a stalled run going: the stall is reported", async (t) => {
    const env = await createTestEnv({ workflows: [report, approval], startTime: START, stallGrace: "50ms" });
    t.after(() => env.close());
    await env.endure.schedules.set("hourly", { cron: "0 * * * *", workflow: report, args: ["ops"] });
    const run = await env.start(approval, []);
    await assert.rejects(run.result(), TestStalledError);
    assert.equal(env.now(), START, "time stood still");
  });
});
