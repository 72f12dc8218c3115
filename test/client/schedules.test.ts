import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type ScheduleDefinition, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";

const report = workflow("report", async (to: string, days: number) => `${to}:${days}`);
const daily: ScheduleDefinition<[string, number], string> = { cron: "0 2 * * *", timezone: "Europe/Berlin", workflow: report, args: ["ops@example.com", 7] };

describe("endure.schedules", () => {
  test("set creates, get and list show it, set again updates it, pause, resume and delete", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);

    const created = await endure.schedules.set("nightly", { ...daily, tags: ["reports"], timeout: "1 hour" });
    assert.equal(created.name, "nightly");
    assert.equal(created.workflow, "report");
    assert.deepEqual(created.args, ["ops@example.com", 7]);
    assert.deepEqual([created.timezone, created.catchUp, created.paused, created.lastAt], ["Europe/Berlin", "latest", false, null]);
    assert.deepEqual(created.runOptions, { tags: ["reports"], timeoutMs: 3_600_000 });
    // 02:00 in Berlin is 00:00 or 01:00 UTC, within the next day.
    const next = created.nextAt!.getTime();
    assert.ok(next > Date.now() && next <= Date.now() + 24 * 3_600_000, `next tick ${created.nextAt?.toISOString()}`);
    assert.ok([0, 1].includes(created.nextAt!.getUTCHours()) && created.nextAt!.getUTCMinutes() === 0);
    assert.deepEqual(await endure.schedules.get("nightly"), created);

    const updated = await endure.schedules.set("nightly", { ...daily, args: ["dev@example.com", 1], catchUp: "all" });
    assert.deepEqual([updated.args, updated.catchUp, updated.runOptions, updated.nextAt], [["dev@example.com", 1], "all", {}, created.nextAt]);
    await endure.schedules.set("hourly", { cron: "0 * * * *", workflow: report, args: ["x", 0] });
    assert.deepEqual((await endure.schedules.list()).map((schedule) => schedule.name), ["hourly", "nightly"]);

    const paused = await endure.schedules.pause("nightly");
    assert.deepEqual([paused.paused, paused.nextAt], [true, null]);
    const resumed = await endure.schedules.resume("nightly");
    assert.deepEqual([resumed.paused, resumed.nextAt], [false, created.nextAt]);

    await endure.schedules.delete("nightly");
    assert.deepEqual((await endure.schedules.list()).map((schedule) => schedule.name), ["hourly"]);
  });

  test("a workflow may be given by the name a worker serves", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [report] });
    t.after(close);
    const schedule = await endure.schedules.set("by-name", { cron: "*/5 * * * *", workflow: "report", args: ["x", 1] });
    assert.equal(schedule.workflow, "report");
  });

  test("bad input is rejected with a clear error and writes nothing", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const set = (definition: Record<string, unknown>, name = "bad") =>
      endure.schedules.set(name, { ...daily, ...definition } as unknown as ScheduleDefinition);

    await assert.rejects(set({ cron: "61 * * * *" }), { code: "INVALID_ARGUMENT", message: /cron "61 \* \* \* \*" is not a valid cron expression .*minute.* e\.g\. "0 9 \* \* 1-5"/ });
    await assert.rejects(set({ cron: "every day" }), { code: "INVALID_ARGUMENT", message: /is not a valid cron expression/ });
    await assert.rejects(set({ cron: "* * * * * * *" }), { code: "INVALID_ARGUMENT", message: /5 or 6 parts/ });
    await assert.rejects(set({ cron: "0 0 30 2 *" }), { code: "INVALID_ARGUMENT", message: /never fires/ });
    await assert.rejects(set({ cron: 5 }), { code: "INVALID_ARGUMENT", message: /cron must be a string/ });
    await assert.rejects(set({ timezone: "Mars/Olympus" }), { code: "INVALID_ARGUMENT", message: /timezone must be an IANA time zone name such as "Europe\/Berlin".*got "Mars\/Olympus"/ });
    await assert.rejects(set({ timeZone: "Europe/Paris" }), { code: "INVALID_ARGUMENT", message: /unknown option "timeZone"; a schedule takes cron, timezone/ });
    await assert.rejects(set({ id: "fixed" }), { code: "INVALID_ARGUMENT", message: /unknown option "id".*get their id from the tick/ });
    await assert.rejects(set({ catchUp: "sometimes" }), { code: "INVALID_ARGUMENT", message: /catchUp must be one of "skip", "latest", "all"; got "sometimes"/ });
    await assert.rejects(set({ workflow: "no-such-workflow" }), { code: "UNKNOWN_WORKFLOW", message: /No workflow named "no-such-workflow"/ });
    await assert.rejects(set({ workflow: 42 }), { code: "INVALID_ARGUMENT", message: /workflow must be a workflow definition or the name of one/ });
    await assert.rejects(set({ args: "ops@example.com" }), { code: "INVALID_ARGUMENT", message: /args must be an array/ });
    await assert.rejects(set({ args: [() => 1] }), { code: "UNSERIALIZABLE" });
    await assert.rejects(set({ tags: "reports" }), { code: "INVALID_ARGUMENT", message: /tags must be an array/ });
    await assert.rejects(set({}, "no spaces allowed"), { code: "INVALID_ARGUMENT", message: /a schedule name must be 1 to 128 letters/ });
    await assert.rejects(endure.schedules.set("bad", null as unknown as ScheduleDefinition), { code: "INVALID_ARGUMENT", message: /definition must be an object/ });
    assert.deepEqual(await endure.schedules.list(), [], "nothing was written");
  });

  test("an unknown schedule name is a ScheduleNotFoundError", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const calls = [() => endure.schedules.get("ghost"), () => endure.schedules.pause("ghost"), () => endure.schedules.resume("ghost"), () => endure.schedules.delete("ghost")];
    for (const call of calls) {
      await assert.rejects(call(), { name: "ScheduleNotFoundError", code: "SCHEDULE_NOT_FOUND", message: /No schedule named "ghost" exists.*schedules\.list\(\)/ });
    }
  });
});
