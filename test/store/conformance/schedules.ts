import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewSchedule, ScheduleFiring, ScheduleRecord } from "../../../src/store/schedule-store.js";
import type { Store } from "../../../src/store/store.js";
import { MAX_CATCH_UP_TICKS, MISSED_AFTER_MS, nextTick, parseCron, planFiring } from "../../../src/worker/schedule-plan.js";
import { T0, type SuiteContext } from "./context.js";

const MINUTE = 60_000;
// T0 is 2023-11-14T22:13:20Z: an every-minute schedule ticks first at 22:14, FIRST_TICK.
const FIRST_TICK = Date.UTC(2023, 10, 14, 22, 14);

/** An every-minute schedule of workflow "wf", catching up the latest missed tick. */
function newSchedule(overrides: Partial<NewSchedule> = {}): NewSchedule {
  return { name: "every-minute", workflow: "wf", cron: "* * * * *", timezone: "UTC", input: '["x"]', options: "{}", catchUp: "latest", ...overrides };
}

const firstTickAfter = (schedule: NewSchedule | ScheduleRecord) => (now: number) => nextTick(parseCron(schedule.cron, schedule.timezone), now);
const iso = (ms: number) => new Date(ms).toISOString();

export function scheduleTests(t: SuiteContext): void {
  const upsert = (schedule = newSchedule(), store: Store = t.store) => store.upsertSchedule(schedule, firstTickAfter(schedule));
  const fire = (store: Store = t.store, workflows = ["wf"], limit = 10) => store.fireSchedules({ workflows, limit, plan: planFiring });
  /** Ids of the runs the fire created. */
  const fired = async (store: Store = t.store) => (await fire(store)).created.map((run) => run.id);

  describe("schedules", () => {
    it("creates a schedule with its first tick after now; get and list return it", async () => {
      const created = await upsert();
      assert.deepEqual(created, {
        ...newSchedule(), paused: false, nextAt: FIRST_TICK, lastAt: null, createdAt: T0, updatedAt: T0,
      });
      assert.deepEqual(await t.store.getSchedule("every-minute"), created);
      await upsert(newSchedule({ name: "another" }));
      assert.deepEqual((await t.store.listSchedules()).map((schedule) => schedule.name), ["another", "every-minute"]);
      assert.equal(await t.store.getSchedule("missing"), undefined);
    });

    it("fires each tick once: one run with the tick's id, then the next tick", async () => {
      await upsert(newSchedule({ options: JSON.stringify({ tags: ["nightly"], timeoutMs: 5000 }) }));
      assert.deepEqual(await fired(), [], "nothing is due before the first tick");
      t.clock.advance(FIRST_TICK - T0);
      assert.deepEqual(await fired(), [`schedule:every-minute:${iso(FIRST_TICK)}`]);
      assert.deepEqual(await fired(), [], "the same tick does not fire twice");
      const run = await t.run(`schedule:every-minute:${iso(FIRST_TICK)}`);
      assert.deepEqual([run.workflow, run.status, run.input, run.tags, run.timeoutMs], ["wf", "pending", '["x"]', ["nightly"], 5000]);
      const after = await t.store.getSchedule("every-minute");
      assert.deepEqual([after?.lastAt, after?.nextAt], [FIRST_TICK, FIRST_TICK + MINUTE]);
      t.clock.advance(MINUTE);
      assert.deepEqual(await fired(), [`schedule:every-minute:${iso(FIRST_TICK + MINUTE)}`]);
    });

    it("fires only the given workflows' schedules, at most limit per call, and tells the earliest next tick", async () => {
      for (const name of ["a", "b", "c"]) await upsert(newSchedule({ name }));
      await upsert(newSchedule({ name: "other", workflow: "not-served-here", cron: "30 * * * * *" }));
      const idle = await fire();
      assert.deepEqual([idle.created, idle.nextAt, idle.now], [[], FIRST_TICK, T0], "the earliest tick of wf's schedules, not of other");
      t.clock.advance(FIRST_TICK - T0);
      const first = await fire(t.store, ["wf"], 2);
      assert.equal(first.created.length, 2);
      assert.equal(first.nextAt, FIRST_TICK, "one schedule is still due");
      assert.equal((await fire(t.store, ["wf"], 2)).created.length, 1);
      assert.equal(await t.store.getRun(`schedule:other:${iso(FIRST_TICK)}`), undefined);
      assert.equal((await t.store.getSchedule("other"))?.lastAt, null, "not-served-here's schedule was not fired");
    });

    it("starts a tick's run once even when its id exists already (a tick fired twice)", async () => {
      await upsert();
      t.clock.advance(FIRST_TICK - T0);
      const id = `schedule:every-minute:${iso(FIRST_TICK)}`;
      await t.store.createRun({ id, workflow: "wf", input: '["first"]' });
      const double = await t.store.fireSchedules({
        workflows: ["wf"], limit: 10,
        plan: (schedule, now): ScheduleFiring => {
          const firing = planFiring(schedule, now);
          return { ...firing, runs: [...firing.runs, ...firing.runs] };
        },
      });
      assert.deepEqual(double.created, []);
      assert.equal((await t.run(id)).input, '["first"]', "the existing run is untouched");
      assert.equal((await t.store.getSchedule("every-minute"))?.nextAt, FIRST_TICK + MINUTE, "the schedule moved on");
    });

    it("two handles firing at once start each tick's run once", async (context) => {
      if (!t.fixture.connectAgain) return context.skip("this storage cannot be opened twice");
      const other = await t.fixture.connectAgain();
      for (let i = 0; i < 10; i += 1) await upsert(newSchedule({ name: `s${i}`, cron: "* * * * * *" }));
      const started: string[] = [];
      for (let round = 0; round < 5; round += 1) {
        t.clock.advance(1000);
        const [mine, theirs] = await Promise.all([fire(t.store), fire(other)]);
        started.push(...mine.created.map((run) => run.id), ...theirs.created.map((run) => run.id));
      }
      assert.equal(started.length, 50, "ten schedules, five ticks");
      assert.equal(new Set(started).size, 50, "no tick started twice");
    });

    it("pause stops the ticks; resume goes on from the next tick after now, without the ticks while paused", async () => {
      await upsert();
      const paused = await t.store.pauseSchedule("every-minute");
      assert.deepEqual([paused?.paused, paused?.nextAt], [true, null]);
      t.clock.advance(FIRST_TICK - T0 + 5 * MINUTE + 30_000);
      assert.deepEqual(await fired(), []);
      const resumed = await t.store.resumeSchedule("every-minute", firstTickAfter(newSchedule()));
      assert.deepEqual([resumed?.paused, resumed?.nextAt], [false, FIRST_TICK + 6 * MINUTE]);
      assert.deepEqual(await fired(), [], "no tick of the pause fires");
      // Resuming a running schedule changes nothing.
      assert.deepEqual(await t.store.resumeSchedule("every-minute", () => 0), resumed);
      assert.equal(await t.store.pauseSchedule("missing"), undefined);
      assert.equal(await t.store.resumeSchedule("missing", () => 0), undefined);
    });

    it("an update keeps the next tick (a due one still fires) and the pause, unless the cron changes", async () => {
      await upsert();
      t.clock.advance(FIRST_TICK - T0 + 10_000);
      const updated = await upsert(newSchedule({ input: '["y"]' }));
      assert.deepEqual([updated.nextAt, updated.input, updated.createdAt, updated.updatedAt], [FIRST_TICK, '["y"]', T0, t.clock.now()]);
      const rescheduled = await upsert(newSchedule({ cron: "0 * * * *" }));
      assert.equal(rescheduled.nextAt, Date.UTC(2023, 10, 14, 23), "the next tick of the new cron");
      await t.store.pauseSchedule("every-minute");
      const stillPaused = await upsert(newSchedule({ cron: "*/5 * * * *" }));
      assert.deepEqual([stillPaused.paused, stillPaused.nextAt, stillPaused.cron], [true, null, "*/5 * * * *"]);
    });

    it("delete removes the schedule and keeps its runs", async () => {
      await upsert();
      t.clock.advance(FIRST_TICK - T0);
      const [id] = await fired();
      assert.equal(await t.store.deleteSchedule("every-minute"), true);
      assert.equal(await t.store.getSchedule("every-minute"), undefined);
      assert.equal(await t.store.deleteSchedule("every-minute"), false);
      assert.ok(await t.store.getRun(id!));
      t.clock.advance(MINUTE);
      assert.deepEqual(await fired(), []);
    });

    describe("missed ticks (catch-up)", () => {
      // Five ticks pass with no one firing; the store clock is then 10 s past the fifth.
      const missFiveTicks = async (catchUp: NewSchedule["catchUp"]) => {
        await upsert(newSchedule({ catchUp }));
        t.clock.advance(FIRST_TICK - T0 + 4 * MINUTE + 10_000);
      };
      const ticks = (from: number, count: number) => Array.from({ length: count }, (_, i) => `schedule:every-minute:${iso(from + i * MINUTE)}`);

      it("latest: only the most recent missed tick runs", async () => {
        await missFiveTicks("latest");
        assert.deepEqual(await fired(), ticks(FIRST_TICK + 4 * MINUTE, 1));
        const schedule = await t.store.getSchedule("every-minute");
        assert.deepEqual([schedule?.lastAt, schedule?.nextAt], [FIRST_TICK + 4 * MINUTE, FIRST_TICK + 5 * MINUTE]);
      });

      it("all: every missed tick runs, oldest first", async () => {
        await missFiveTicks("all");
        assert.deepEqual(await fired(), ticks(FIRST_TICK, 5));
        assert.equal((await t.store.getSchedule("every-minute"))?.nextAt, FIRST_TICK + 5 * MINUTE);
      });

      it(`all: at most ${MAX_CATCH_UP_TICKS} per firing, the rest at the next`, async () => {
        await upsert(newSchedule({ catchUp: "all" }));
        t.clock.advance(FIRST_TICK - T0 + 149 * MINUTE);
        const first = await fire();
        assert.deepEqual(first.created.map((run) => run.id), ticks(FIRST_TICK, MAX_CATCH_UP_TICKS));
        assert.equal(first.nextAt, FIRST_TICK + MAX_CATCH_UP_TICKS * MINUTE, "still due: fire again at once");
        assert.deepEqual(await fired(), ticks(FIRST_TICK + MAX_CATCH_UP_TICKS * MINUTE, 150 - MAX_CATCH_UP_TICKS));
      });

      it(`skip: no missed tick runs; a tick less than ${MISSED_AFTER_MS / 1000} s late is not missed`, async () => {
        await missFiveTicks("skip");
        t.clock.advance(MISSED_AFTER_MS - 10_000 + 1);
        assert.deepEqual(await fired(), []);
        const schedule = await t.store.getSchedule("every-minute");
        assert.deepEqual([schedule?.lastAt, schedule?.nextAt], [null, FIRST_TICK + 5 * MINUTE]);
        t.clock.advance(FIRST_TICK + 5 * MINUTE + MISSED_AFTER_MS - t.clock.now());
        assert.deepEqual(await fired(), ticks(FIRST_TICK + 5 * MINUTE, 1), "fired late, but within the limit");
      });
    });
  });
}
