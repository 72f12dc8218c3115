import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sleep, step, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

describe("sleep()", () => {
  test("a long sleep releases the run from memory with its wake-up time, and any worker resumes it", async (t) => {
    const wf = workflow("long-nap", async () => {
      await sleep("300ms");
      return "rested";
    });
    const { endure, close } = await openTestEndure({ workflows: [wf], inMemoryWaitLimit: "50ms" });
    t.after(close);

    const started = Date.now();
    const run = await endure.start(wf, []);
    const waiting = await waitUntil(async () => {
      const info = await endure.get(run.id);
      return info.status === "waiting" ? info : undefined;
    }, "the run to suspend");
    assert.equal(waiting.journal[0]!.kind, "sleep");
    assert.equal(waiting.journal[0]!.status, "waiting");
    const wakeAt = waiting.journal[0]!.wakeAt!.getTime();
    assert.ok(wakeAt >= started + 300 && wakeAt <= Date.now() + 300, `wakeAt ${wakeAt} is 300 ms after the start`);
    assert.equal(waiting.wakeAt?.getTime(), wakeAt);

    assert.equal(await run.result(), "rested");
    assert.ok(Date.now() >= wakeAt);
    const done = await endure.get(run.id);
    assert.equal(done.journal[0]!.status, "completed");
  });

  test("a short sleep stays in memory and fires on time", async (t) => {
    const wf = workflow("short-nap", async () => {
      await sleep(30);
      return "ok";
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const run = await endure.start(wf, []);
    assert.equal(await run.result(), "ok");
  });

  test("sleep() refuses an invalid duration with a clear error", async (t) => {
    const wf = workflow("bad-nap", async () => {
      await sleep("a while");
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const failure = await (await endure.start(wf, [])).result().catch((error: { cause: Error }) => error.cause);
    assert.match(String(failure), /sleep\(\)'s duration must be a non-negative number of milliseconds or a string such as "90s" or "3 days"; got "a while"/);
  });
});

describe("waitForEvent()", () => {
  test("events sent before the wait are buffered; each is consumed once, oldest first", async (t) => {
    const prepare = step("prepare", async () => "ready");
    const wf = workflow("two-events", async () => {
      await prepare();
      const first = await waitForEvent<string>("item");
      const second = await waitForEvent<string>("item");
      return [first, second];
    });
    const { endure, close } = await openTestEndure();
    t.after(close);

    const run = await endure.start(wf, []);
    // No worker yet: the events wait in the run's inbox.
    await endure.send(run.id, "item", "one");
    await endure.send(run.id, "item", "two");
    await endure.startWorker({ workflows: [wf], pollInterval: 10 });
    assert.deepEqual(await run.result(), ["one", "two"]);
  });

  test("a repeated key is delivered once", async (t) => {
    const wf = workflow("dedupe", async () => [await waitForEvent("pay"), await waitForEvent("pay")]);
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    assert.deepEqual(await endure.send(run.id, "pay", { amount: 1 }, { key: "delivery-1" }), { duplicate: false });
    assert.deepEqual(await endure.send(run.id, "pay", { amount: 1 }, { key: "delivery-1" }), { duplicate: true });
    await endure.send(run.id, "pay", { amount: 2 }, { key: "delivery-2" });
    assert.deepEqual(await run.result(), [{ amount: 1 }, { amount: 2 }]);
  });

  test("an event sent while the run waits wakes it", async (t) => {
    const wf = workflow("approval", async (request: string) => {
      const answer = await waitForEvent<{ approved: boolean }>("decision");
      return `${request}: ${answer?.approved ? "approved" : "rejected"}`;
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, ["expense 42"]);
    const waiting = await waitUntil(async () => {
      const info = await endure.get(run.id);
      return info.status === "waiting" ? info : undefined;
    }, "the run to wait for its event");
    assert.deepEqual(waiting.waitingFor, ["decision"]);
    await endure.send(run.id, "decision", { approved: true });
    assert.equal(await run.result(), "expense 42: approved");
  });

  test("the timeout resolves to null, and a later event is left in the inbox", async (t) => {
    const wf = workflow("impatient", async () => {
      const early = await waitForEvent("reply", { timeout: "50ms" });
      const late = await waitForEvent("reply");
      return [early, late];
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await waitUntil(async () => (await endure.get(run.id)).journal[0]?.status === "completed", "the first wait to time out");
    await endure.send(run.id, "reply", "finally");
    assert.deepEqual(await run.result(), [null, "finally"]);
  });

  test("sending to a missing or finished run is refused and writes nothing", async (t) => {
    const wf = workflow("quick", async () => "done");
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    await assert.rejects(endure.send("no-such-run", "x"), { code: "RUN_NOT_FOUND", message: /No run with id "no-such-run" exists/ });
    const run = await endure.start(wf, []);
    await run.result();
    await assert.rejects(endure.send(run.id, "x"), { code: "RUN_FINISHED", message: `Run "${run.id}" is already completed, so it cannot receive event "x".` });
  });
});
