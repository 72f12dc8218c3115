import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { NonDeterminismError, now, random, sleep, step, uuid, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

// A worker that releases every waiting run from memory, so each wake-up is a full replay.
const replayEveryWait = { inMemoryWaitLimit: 0 };
// Long enough to still be ahead when the run goes idle (after the timer's commit, which can take
// milliseconds on a busy disk); a timer already due fires in memory instead of suspending.
const suspendingSleep = 200;

describe("replay", () => {
  test("Promise.all over chains of steps replays deterministically, whatever order they finished in", async (t) => {
    const executions = new Map<string, number>();
    const count = (key: string) => executions.set(key, (executions.get(key) ?? 0) + 1);
    // Random latencies make the chains finish in a different order than they started.
    const fetchItem = step("fetch", async (item: number) => {
      count(`fetch-${item}`);
      await delay(Math.floor(Math.random() * 15));
      return item * 10;
    });
    const store = step("store", async (item: number, value: number) => {
      count(`store-${item}`);
      await delay(Math.floor(Math.random() * 5));
      return `${item}:${value}`;
    });
    const wf = workflow("fan-out-chains", async (items: number[]) => {
      const first = await Promise.all(items.map(async (item) => await store(item, await fetchItem(item))));
      await sleep(suspendingSleep); // suspends; the rest runs after a replay of everything above
      const second = await Promise.all(items.map(async (item) => await store(item + 100, await fetchItem(item + 100))));
      return [...first, ...second];
    });
    const { endure, close } = await openTestEndure({ workflows: [wf], ...replayEveryWait });
    t.after(close);

    const items = Array.from({ length: 12 }, (_, i) => i);
    const run = await endure.start(wf, [items]);
    const result = await run.result();
    assert.deepEqual(result, [...items.map((i) => `${i}:${i * 10}`), ...items.map((i) => `${i + 100}:${(i + 100) * 10}`)]);
    // No recorded step ran again during the replay.
    assert.ok([...executions.values()].every((n) => n === 1), `re-executed: ${JSON.stringify([...executions])}`);
    const journal = (await endure.get(run.id)).journal;
    assert.equal(journal.length, 12 * 4 + 1);
    assert.ok(journal.every((entry) => entry.status === "completed"));
  });

  test("now(), uuid() and random() return the same values after a replay", async (t) => {
    const wf = workflow("deterministic-values", async () => {
      const before = { at: now(), id: uuid(), dice: random() };
      await sleep(suspendingSleep);
      const again = { at: now(), id: uuid(), dice: random() };
      return { before, again };
    });
    // Replay the first part by running a twin of the workflow body after the suspension.
    const seen: unknown[] = [];
    const observed = workflow("deterministic-values-observed", async () => {
      const values = { at: now(), id: uuid(), dice: random() };
      seen.push(values);
      await sleep(suspendingSleep);
      return values;
    });
    const { endure, close } = await openTestEndure({ workflows: [wf, observed], ...replayEveryWait });
    t.after(close);

    const { before, again } = (await (await endure.start(wf, [])).result()) as { before: { id: string }; again: { id: string } };
    assert.notEqual(before.id, again.id, "each call gets a fresh value");
    const result = await (await endure.start(observed, [])).result();
    assert.equal(seen.length, 2, "the body ran twice: live, then replayed after the sleep");
    assert.deepEqual(seen[0], seen[1]);
    assert.deepEqual(result, seen[0]);
  });

  test("a run in memory is not replayed per step", async (t) => {
    let bodyStarts = 0;
    const noop = step("noop", async (i: number) => i);
    const wf = workflow("hundred-steps", async () => {
      bodyStarts++;
      let sum = 0;
      for (let i = 0; i < 100; i++) sum += await noop(i);
      return sum;
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    assert.equal(await (await endure.start(wf, [])).result(), 4950);
    assert.equal(bodyStarts, 1);
  });

  test("a changed step name blocks the run with a message naming both calls; the journal is kept", async (t) => {
    const a = step("a", async () => "a");
    const b = step("b", async () => "b");
    const c = step("c", async () => "c");
    const v1 = workflow("evolving", async () => {
      await a();
      await b();
      await waitForEvent("continue");
      return "v1";
    });
    const v2 = workflow("evolving", async () => {
      await a();
      await c();
      await waitForEvent("continue");
      return "v2";
    });
    const { endure, close } = await openTestEndure();
    t.after(close);

    const worker1 = await endure.startWorker({ workflows: [v1], pollInterval: 10 });
    const run = await endure.start(v1, [], { id: "evolving-1" });
    await waitUntil(async () => (await run.status()) === "waiting", "the run to suspend on its event");
    await worker1.stop();
    const before = (await endure.get(run.id)).journal;

    await endure.startWorker({ workflows: [v2], pollInterval: 10 });
    await endure.send(run.id, "continue", null);
    const failure = await run.result().catch((error: unknown) => error);
    assert.ok(failure instanceof NonDeterminismError, `got ${String(failure)}`);
    assert.equal(failure.code, "NON_DETERMINISM");
    assert.equal(failure.position, 1);
    assert.equal(failure.expected, 'step "b"');
    assert.equal(failure.actual, 'step "c"');
    assert.match(failure.message, /^Run "evolving-1" no longer matches its journal at position 1: the journal recorded step "b", but the code now does step "c"\./);

    const info = await endure.get(run.id);
    assert.equal(info.status, "blocked");
    assert.ok(info.error instanceof NonDeterminismError);
    assert.deepEqual(info.journal, before);
  });

  test("code that ends before the journal does blocks the run", async (t) => {
    const a = step("a", async () => "a");
    const v1 = workflow("shrinking", async () => {
      await waitForEvent("go");
      await a();
      await waitForEvent("go");
      return "v1";
    });
    const v2 = workflow("shrinking", async () => {
      await waitForEvent("go");
      return "v2";
    });
    const { endure, close } = await openTestEndure();
    t.after(close);

    const worker1 = await endure.startWorker({ workflows: [v1], pollInterval: 10 });
    const run = await endure.start(v1, []);
    await endure.send(run.id, "go");
    await waitUntil(async () => (await endure.get(run.id)).journal.length === 3 && (await run.status()) === "waiting", "the second wait");
    await worker1.stop();

    await endure.startWorker({ workflows: [v2], pollInterval: 10 });
    await endure.send(run.id, "go");
    const failure = await run.result().catch((error: unknown) => error);
    assert.ok(failure instanceof NonDeterminismError);
    assert.equal(failure.position, 1);
    assert.equal(failure.expected, 'step "a"');
    assert.match(failure.actual, /nothing: it ends there, with the workflow returning/);
  });
});
