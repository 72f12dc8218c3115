import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Endure, step, stepContext, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

/** The tick of a schedule's run, from its id (`schedule:<name>:<ISO time>`). */
function tickOf(runId: string, name: string): number {
  const prefix = `schedule:${name}:`;
  assert.ok(runId.startsWith(prefix), `${runId} is a run of schedule ${name}`);
  return Date.parse(runId.slice(prefix.length));
}

/** Ids of the schedule's runs, oldest tick first. */
async function runIdsOf(endure: Endure, name: string): Promise<string[]> {
  const { runs } = await endure.list({ limit: 1000 });
  return runs.map((run) => run.id).filter((id) => id.startsWith(`schedule:${name}:`)).sort();
}

describe("Worker: schedules", () => {
  test("two workers fire an every-second schedule: each tick starts one run, none is skipped", async (t) => {
    const executions = new Map<string, number>();
    const record = step("record", async (label: string) => {
      const { runId } = stepContext();
      executions.set(runId, (executions.get(runId) ?? 0) + 1);
      return label;
    });
    const tick = workflow("tick", async (label: string) => await record(label));
    const { endure, url, close } = await openTestEndure({ workflows: [tick] });
    t.after(close);
    const other = await Endure.open({ store: url });
    t.after(() => other.close());
    await other.startWorker({ workflows: [tick], pollInterval: 10 });

    await endure.schedules.set("every-second", { cron: "* * * * * *", workflow: tick, args: ["hello"], tags: ["ticks"] });
    const ids = await waitUntil(async () => {
      const found = await runIdsOf(endure, "every-second");
      return found.length >= 4 ? found : undefined;
    }, "four ticks to start runs", 20_000);
    const ticks = ids.map((id) => tickOf(id, "every-second"));
    for (const [i, at] of ticks.entries()) {
      assert.equal(at % 1000, 0, "ticks are whole seconds");
      if (i > 0) assert.equal(at - ticks[i - 1]!, 1000, `no tick skipped between ${ids[i - 1]} and ${ids[i]}`);
    }
    for (const id of ids) assert.equal(await endure.handle(id).result(), "hello");
    assert.deepEqual(ids.map((id) => executions.get(id)), ids.map(() => 1), "each tick's run executed once");
    const first = await endure.get(ids[0]!);
    assert.deepEqual([first.workflow, first.input], ["tick", ["hello"]]);
    const tagged = (await endure.list({ tags: ["ticks"], limit: 1000 })).runs.map((run) => run.id);
    assert.ok(ids.every((id) => tagged.includes(id)), "the runs carry the schedule's tags");
    assert.ok((await endure.schedules.get("every-second")).lastAt!.getTime() >= ticks.at(-1)!, "lastAt is the last tick fired");
  });

  test("a paused schedule, and one of a workflow no worker serves, start nothing while others tick", async (t) => {
    const tick = workflow("tick", async () => "tick");
    const unserved = workflow("unserved", async () => "never");
    const { endure, close } = await openTestEndure({ workflows: [tick] });
    t.after(close);
    await endure.schedules.set("paused", { cron: "* * * * * *", workflow: tick, args: [] });
    await endure.schedules.pause("paused");
    await endure.schedules.set("nobody-serves", { cron: "* * * * * *", workflow: unserved, args: [] });
    await endure.schedules.set("clock", { cron: "* * * * * *", workflow: tick, args: [] });

    await waitUntil(async () => (await runIdsOf(endure, "clock")).length >= 3, "three ticks of the running schedule", 20_000);
    assert.deepEqual(await runIdsOf(endure, "paused"), []);
    assert.deepEqual(await runIdsOf(endure, "nobody-serves"), []);

    const resumed = await endure.schedules.resume("paused");
    await waitUntil(async () => (await runIdsOf(endure, "paused")).length >= 1, "the resumed schedule to tick", 20_000);
    const [firstAfterResume] = await runIdsOf(endure, "paused");
    assert.ok(tickOf(firstAfterResume!, "paused") >= resumed.nextAt!.getTime(), "no tick of the pause ran");
  });
});
