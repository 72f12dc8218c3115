import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CancelledError, continueAsNew, InvalidArgumentError, publish, RunFinishedError, RunTimeoutError, sleep, step, TimeoutError, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

describe("start options", () => {
  test("a run past its timeout is cancelled with RunTimeoutError; its finally block still runs steps", async (t) => {
    const cleanUp = step("clean-up", async () => "cleaned");
    const slow = workflow("slow", async () => {
      try {
        await waitForEvent("never");
      } finally {
        await cleanUp();
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [slow] });
    t.after(close);
    const run = await endure.start(slow, [], { timeout: "150ms" });
    const error = await run.result().catch((thrown: unknown) => thrown);
    assert.ok(error instanceof RunTimeoutError && error instanceof CancelledError, String(error));
    assert.equal(error.code, "RUN_TIMEOUT");
    const info = await endure.get(run.id);
    assert.equal(info.status, "cancelled");
    assert.equal(info.timeoutMs, 150);
    assert.deepEqual(info.journal.map((entry) => [entry.kind, entry.name, entry.status]), [["event", "never", "failed"], ["step", "clean-up", "completed"]]);
  });

  test("the timeout also wakes a suspended run: it is counted from the start, not from the claim", async (t) => {
    const napper = workflow("long-napper", async () => {
      await sleep("1 hour");
    });
    const { endure, close } = await openTestEndure({ workflows: [napper], inMemoryWaitLimit: "10ms" });
    t.after(close);
    const run = await endure.start(napper, [], { timeout: "300ms" });
    await waitUntil(async () => (await endure.get(run.id)).status === "waiting", "the run to suspend");
    const waiting = await endure.get(run.id);
    assert.ok(waiting.wakeAt!.getTime() <= waiting.startedAt!.getTime() + 300, "due at its deadline, not in an hour");
    await assert.rejects(run.result(), RunTimeoutError);
  });

  test("a delayed run stays pending until its delay has passed", async (t) => {
    const stamp = workflow("stamp", async () => "stamped");
    const { endure, close } = await openTestEndure({ workflows: [stamp] });
    t.after(close);
    const before = Date.now();
    const run = await endure.start(stamp, [], { delay: "200ms" });
    const pending = await endure.get(run.id);
    assert.equal(pending.status, "pending");
    assert.equal(await run.result(), "stamped");
    const done = await endure.get(run.id);
    assert.ok(done.startedAt!.getTime() >= before + 200, `started ${done.startedAt!.getTime() - before} ms after the start call`);
  });

  test("list({ tags }) finds the runs that have every given tag", async (t) => {
    const tagged = workflow("tagged", async () => "ok");
    const { endure, close } = await openTestEndure({ workflows: [tagged] });
    t.after(close);
    await endure.start(tagged, [], { id: "a", tags: ["customer:1", "vip"] });
    await endure.start(tagged, [], { id: "b", tags: ["customer:1"] });
    await endure.start(tagged, [], { id: "c", tags: ["customer:2", "vip"] });
    const ids = async (tags: string[]) => (await endure.list({ tags })).runs.map((run) => run.id).sort();
    assert.deepEqual(await ids(["customer:1"]), ["a", "b"]);
    assert.deepEqual(await ids(["vip"]), ["a", "c"]);
    assert.deepEqual(await ids(["vip", "customer:1"]), ["a"]);
    assert.deepEqual(await ids(["nobody"]), []);
    assert.deepEqual((await endure.get("a")).tags, ["customer:1", "vip"]);
  });

  test("bad options are refused with a clear error and nothing is started", async (t) => {
    const noop = workflow("noop", async () => "ok");
    const { endure, close } = await openTestEndure({ workflows: [noop] });
    t.after(close);
    const refusals: [object, RegExp][] = [
      [{ timeout: 0 }, /timeout must be longer than 0/],
      [{ timeout: "soon" }, /timeout must be a non-negative number of milliseconds/],
      [{ delay: -5 }, /delay must be a non-negative number/],
      [{ tags: "vip" }, /tags must be an array of at most 20 strings/],
      [{ tags: [""] }, /each tag must be a string of 1 to 100 characters/],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /tags must be an array of at most 20 strings/],
      [{ priority: 1 }, /priority and concurrencyKey order and limit runs within a queue; give the queue too/],
      [{ queue: "bad name!" }, /queue must be a queue's name/],
    ];
    for (const [options, message] of refusals) {
      await assert.rejects(endure.start(noop, [], options), (error: Error) => error instanceof InvalidArgumentError && message.test(error.message), JSON.stringify(options));
    }
    assert.deepEqual((await endure.list()).runs, []);
    await assert.rejects(endure.list({ tags: [42 as unknown as string] }), /each tag must be a string/);
  });
});

describe("publish() and waitForValue()", () => {
  test("the outside reads the latest published value while the run goes on, and can wait for one", async (t) => {
    const work = step("work", async (item: number) => item);
    const converter = workflow("converter", async (count: number) => {
      for (let done = 1; done <= count; done++) {
        await work(done);
        publish("progress", { done, of: count });
      }
      publish("report", "all converted");
      await waitForEvent("close");
      return "closed";
    });
    const { endure, close } = await openTestEndure({ workflows: [converter] });
    t.after(close);
    const run = await endure.start(converter, [3]);
    assert.equal(await endure.waitForValue(run.id, "report", { timeout: "10s" }), "all converted");
    const info = await endure.get(run.id);
    assert.deepEqual(info.values, { progress: { done: 3, of: 3 }, report: "all converted" });
    assert.equal(info.journal.filter((entry) => entry.kind === "publish").length, 4);
    await endure.send(run.id, "close");
    assert.equal(await run.result(), "closed");
  });

  test("waitForValue() gives up after its timeout, and says so when the run ended without the value", async (t) => {
    const quiet = workflow("quiet", async () => {
      await waitForEvent("go");
      return "done";
    });
    const { endure, close } = await openTestEndure({ workflows: [quiet] });
    t.after(close);
    const run = await endure.start(quiet, []);
    await assert.rejects(endure.waitForValue(run.id, "progress", { timeout: "100ms" }), (error: Error) => error instanceof TimeoutError && (error as TimeoutError).code === "WAIT_TIMEOUT");
    await endure.send(run.id, "go");
    await run.result();
    await assert.rejects(endure.waitForValue(run.id, "progress"), RunFinishedError);
    await assert.rejects(endure.waitForValue("no-such-run", "progress"), { code: "RUN_NOT_FOUND" });
  });

  test("publish() outside a workflow, or with a bad name or value, is refused", async (t) => {
    assert.throws(() => publish("progress", 1), { code: "NOT_IN_WORKFLOW" });
    const bad = workflow("bad-publisher", async () => {
      publish("", 1);
    });
    const unserializable = workflow("unserializable-publisher", async () => {
      publish("fn", () => 1);
    });
    const { endure, close } = await openTestEndure({ workflows: [bad, unserializable] });
    t.after(close);
    await assert.rejects((await endure.start(bad, [])).result(), (error: Error) => /publish\(\) needs a value name of 1 to 200 characters/.test(String((error as Error & { cause: Error }).cause)));
    await assert.rejects((await endure.start(unserializable, [])).result(), (error: Error) => /The value published as "fn" cannot be journaled/.test(String((error as Error & { cause: Error }).cause)));
  });
});

describe("continueAsNew()", () => {
  test("a looping workflow continues as fresh runs with bounded journals; result() follows the chain", async (t) => {
    const poll = step("poll", async (cursor: number) => cursor + 1);
    const monitor = workflow("monitor", async (cursor: number, rounds: number) => {
      for (let i = 0; i < 5; i++) cursor = await poll(cursor);
      if (rounds === 1) return cursor;
      return await continueAsNew<[number, number]>(cursor, rounds - 1);
    });
    const { endure, close } = await openTestEndure({ workflows: [monitor] });
    t.after(close);
    const run = await endure.start(monitor, [0, 4], { id: "monitor-1", tags: ["ops"], timeout: "1 minute" });
    assert.equal(await run.result(), 20);

    const chain = [await endure.get("monitor-1")];
    while (chain.at(-1)!.continuedTo) chain.push(await endure.get(chain.at(-1)!.continuedTo!));
    assert.equal(chain.length, 4);
    chain.forEach((link, index) => {
      assert.equal(link.status, "completed");
      assert.equal(link.journal.length, 5, "each run's journal holds its own round only");
      assert.deepEqual(link.input, [index * 5, 4 - index]);
      assert.deepEqual(link.tags, ["ops"]);
      assert.equal(link.timeoutMs, 60_000);
      if (index > 0) assert.equal(link.continuedFrom, chain[index - 1]!.id);
    });
    assert.equal(chain.at(-1)!.output, 20);
    assert.equal(await endure.handle(chain[1]!.id).result(), 20);
  });

  test("a child that continues as new is followed: its parent gets the last run's result", async (t) => {
    const countdown = workflow("countdown", async (n: number): Promise<string> => (n === 0 ? "liftoff" : await continueAsNew<[number]>(n - 1)));
    const launcher = workflow("launcher", async () => await countdown(3));
    const { endure, close } = await openTestEndure({ workflows: [countdown, launcher] });
    t.after(close);
    assert.equal(await (await endure.start(launcher, [])).result(), "liftoff");
  });

  test("continueAsNew() outside a workflow is refused", async () => {
    await assert.rejects(continueAsNew(1), { code: "NOT_IN_WORKFLOW" });
  });
});
