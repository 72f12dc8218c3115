import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Endure, InvalidArgumentError, type LoggedEvent, type Logger, trigger, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

interface Push {
  ref: string;
  commits: number;
}

const build = workflow("build", async (event: LoggedEvent<Push>) => ({ seq: event.seq, ref: event.payload.ref, type: event.type }));
const notify = workflow("notify", async (event: LoggedEvent<Push>) => `notified of ${event.payload.commits} commits`);

const buildMain = trigger<Push>("build-main", { event: "git.push", workflow: build, filter: (event) => event.payload.ref === "main", tags: ["ci"] });
const notifyAll = trigger<Push>("notify-all", { event: "git.push", workflow: notify });

/** The result of the run a trigger starts for an event, once the dispatch has started it. */
async function resultOf(endure: Endure, id: string): Promise<unknown> {
  await waitUntil(() => endure.get(id).then(() => true, () => false), `the trigger to start run ${id}`);
  return await endure.handle(id).result();
}

const runsOf = async (endure: Endure, tag: string) => (await endure.list({ tags: [tag] })).runs.map((run) => run.id).sort();

describe("triggers", () => {
  test("a matching event starts one run per trigger, with the event as input, its id and tags naming both (fan-out)", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [build, notify], triggers: [buildMain, notifyAll] });
    t.after(close);

    const main = await endure.emit("git.push", { ref: "main", commits: 3 });
    const feature = await endure.emit("git.push", { ref: "feature", commits: 1 });
    await endure.emit("git.tag", { ref: "main", commits: 0 });

    const built = endure.handle(`trigger:build-main:${main.seq}`);
    assert.deepEqual(await resultOf(endure, built.id), { seq: main.seq, ref: "main", type: "git.push" });
    assert.equal(await resultOf(endure, `trigger:notify-all:${main.seq}`), "notified of 3 commits");
    assert.equal(await resultOf(endure, `trigger:notify-all:${feature.seq}`), "notified of 1 commits");
    const info = await endure.get(built.id);
    assert.deepEqual([...info.tags].sort(), ["ci", `event:${main.seq}`, "trigger:build-main"]);

    // The filter kept the feature push from building; nothing was started for another type.
    assert.deepEqual(await runsOf(endure, "trigger:build-main"), [built.id]);
    assert.deepEqual(await runsOf(endure, `event:${feature.seq}`), [`trigger:notify-all:${feature.seq}`]);
    assert.equal((await endure.list({})).runs.length, 3);
  });

  test("a redelivered event (same key) starts nothing more; a re-dispatched one starts new runs, for one trigger when targeted", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [build, notify], triggers: [buildMain, notifyAll] });
    t.after(close);

    const first = await endure.emit("git.push", { ref: "main", commits: 2 }, { key: "delivery-1" });
    const again = await endure.emit("git.push", { ref: "main", commits: 2 }, { key: "delivery-1" });
    assert.equal(again.duplicate, true);
    assert.equal(again.seq, first.seq);
    await resultOf(endure, `trigger:build-main:${first.seq}`);
    await resultOf(endure, `trigger:notify-all:${first.seq}`);

    const copy = await endure.events.redispatch(first.seq, { trigger: "notify-all" });
    assert.equal(copy.redispatchOf, first.seq);
    assert.equal(await resultOf(endure, `trigger:notify-all:${copy.seq}`), "notified of 2 commits");
    const everyone = await endure.events.redispatch(first.seq);
    await resultOf(endure, `trigger:build-main:${everyone.seq}`);
    await resultOf(endure, `trigger:notify-all:${everyone.seq}`);
    assert.deepEqual(await runsOf(endure, "trigger:build-main"), [`trigger:build-main:${everyone.seq}`, `trigger:build-main:${first.seq}`].sort());
    assert.equal((await endure.list({})).runs.length, 5);
  });

  test("events from before a trigger existed start nothing; events recorded while no worker ran start their runs once one does", async (t) => {
    const { endure, url, close } = await openTestEndure();
    const others: Endure[] = [];
    // The second client first: its worker stops before the store is removed.
    t.after(async () => {
      for (const other of others) await other.close();
      await close();
    });

    const before = await endure.emit("git.push", { ref: "main", commits: 1 });
    const worker = await endure.startWorker({ workflows: [build], triggers: [buildMain], pollInterval: 10 });
    await worker.stop();
    const whileDown = await endure.emit("git.push", { ref: "main", commits: 2 });
    assert.equal((await endure.list({})).runs.length, 0, "no worker ran the trigger");

    const other = await Endure.open({ store: url });
    others.push(other);
    await other.startWorker({ workflows: [build], triggers: [buildMain], pollInterval: 10 });
    assert.equal(((await resultOf(other, `trigger:build-main:${whileDown.seq}`)) as { seq: number }).seq, whileDown.seq);
    assert.deepEqual(await runsOf(other, "trigger:build-main"), [`trigger:build-main:${whileDown.seq}`]);
    assert.equal(await other.get(`trigger:build-main:${before.seq}`).catch((error: { code: string }) => error.code), "RUN_NOT_FOUND");
  });

  test("two workers dispatching the same trigger start exactly one run per event", async (t) => {
    const { endure, url, close } = await openTestEndure({ workflows: [notify], triggers: [notifyAll] });
    const other = await Endure.open({ store: url });
    t.after(async () => {
      await other.close();
      await close();
    });
    await other.startWorker({ workflows: [notify], triggers: [notifyAll], pollInterval: 10 });

    const emitted = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? endure : other).emit("git.push", { ref: "main", commits: i })));
    const expected = emitted.map((event) => `trigger:notify-all:${event.seq}`).sort();
    await waitUntil(async () => (await endure.list({ tags: ["trigger:notify-all"], status: "completed", limit: 100 })).runs.length === 60, "every event's run to complete");
    assert.deepEqual((await endure.list({ tags: ["trigger:notify-all"], limit: 100 })).runs.map((run) => run.id).sort(), expected);
  });

  test("a filter that throws starts nothing for that event, says so in the log, and the trigger goes on", async (t) => {
    const errors: string[] = [];
    const logger: Logger = { info() {}, warn() {}, error: (message) => void errors.push(message) };
    const picky = trigger<Push>("picky", {
      event: "git.push",
      workflow: build,
      filter: (event) => {
        if (event.payload.commits < 0) throw new Error("negative commit count");
        return true;
      },
    });
    const { endure, close } = await openTestEndure({ workflows: [build], triggers: [picky], logger });
    t.after(close);

    const bad = await endure.emit("git.push", { ref: "main", commits: -1 });
    const good = await endure.emit("git.push", { ref: "main", commits: 1 });
    await resultOf(endure, `trigger:picky:${good.seq}`);
    assert.deepEqual(await runsOf(endure, "trigger:picky"), [`trigger:picky:${good.seq}`]);
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, new RegExp(`trigger "picky" starts no run for event ${bad.seq} \\(git.push\\): its filter threw.*endure events redispatch ${bad.seq} --trigger picky`));
  });

  test("bad definitions are refused with what to do", async (t) => {
    assert.throws(() => trigger("bad name!", { event: "git.push", workflow: build }), /trigger\(\) needs a name/);
    assert.throws(() => trigger("t", { event: "endure:x", workflow: build }), InvalidArgumentError);
    assert.throws(() => trigger("t", { event: "git.push", workflow: "build" as never }), /workflow must be a definition from workflow\(\)/);
    assert.throws(() => trigger("t", { event: "git.push", workflow: build, filter: true as never }), /filter must be a function/);
    assert.throws(() => trigger("t", { event: "git.push", workflow: build, priority: 1.5 }), /priority must be a whole number/);

    const { endure, close } = await openTestEndure();
    t.after(close);
    await assert.rejects(endure.startWorker({ workflows: [notify], triggers: [buildMain] }), /trigger "build-main" starts workflow "build", which this worker does not run/);
    const twin = trigger<Push>("notify-all", { event: "git.tag", workflow: notify });
    await assert.rejects(endure.startWorker({ workflows: [notify], triggers: [notifyAll, twin] }), /two different triggers are named "notify-all"/);
  });
});
