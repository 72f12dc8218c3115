import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CancelledError, InvalidArgumentError, queue, UnknownQueueError, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

/** Waits for a "go" event, so a run holds its queue slot until the test lets it finish. */
const held = workflow("held", async (label: string) => {
  await waitForEvent("go");
  return label;
});

const invalid = (pattern: RegExp) => (error: unknown) => error instanceof InvalidArgumentError && pattern.test(error.message);

describe("queues", () => {
  test("queue() refuses limits that are not whole numbers of at least 1, and bad rate periods", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, Infinity, "3"]) {
      assert.throws(() => queue("q", { concurrency: concurrency as number }), invalid(/queue\("q"\): concurrency must be a whole number from 1/));
    }
    assert.throws(() => queue("q", { keyConcurrency: -2 }), invalid(/keyConcurrency must be a whole number from 1 .* got -2/));
    assert.throws(() => queue("q", { rateLimit: { limit: 0, period: "1s" } }), invalid(/rateLimit\.limit must be a whole number/));
    for (const period of [0, "0s"]) {
      assert.throws(() => queue("q", { rateLimit: { limit: 5, period } }), invalid(/rateLimit\.period must be at least 1 ms/));
    }
    assert.throws(() => queue("q", { rateLimit: { limit: 5, period: -1 } }), invalid(/rateLimit\.period must be a non-negative/));
    assert.throws(() => queue("q", { rateLimit: { limit: 5, period: "soon" } }), invalid(/rateLimit\.period/));
    assert.throws(() => queue("q", { rateLimit: { limit: 5 } as never }), invalid(/rateLimit\.period must be at least 1 ms/));
    assert.throws(() => queue("", {}), invalid(/queue\(\) needs a name/));
    assert.throws(() => queue("bad name", {}), invalid(/queue\(\) needs a name/));
    const payments = queue("payments", { concurrency: 2, keyConcurrency: 1, rateLimit: { limit: 10, period: "1m" } });
    assert.deepEqual(payments, { kind: "queue", name: "payments", concurrency: 2, keyConcurrency: 1, rateLimit: { limit: 10, periodMs: 60_000 } });
    assert.ok(Object.isFrozen(payments));
  });

  test("startWorker() refuses queues that are not definitions, and two definitions of one name", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    await assert.rejects(endure.startWorker({ workflows: [held], queues: [{ name: "q" } as never] }), invalid(/every entry of queues must be a definition returned by queue\(\)/));
    await assert.rejects(endure.startWorker({ workflows: [held], queues: [queue("q"), queue("q", { concurrency: 1 })] }), invalid(/two different queues are named "q"/));
    assert.deepEqual(await endure.queues(), [], "nothing registered");
  });

  test("start() in a queue no worker registered fails with UNKNOWN_QUEUE naming the known queues, and stores nothing", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [held], queues: [queue("payments"), queue("emails")] });
    t.after(close);
    await assert.rejects(endure.start(held, ["x"], { queue: "paymnets", id: "typo" }), (error: unknown) =>
      error instanceof UnknownQueueError && error.code === "UNKNOWN_QUEUE" && error.queue === "paymnets" &&
      error.message.includes(`known: "emails", "payments"`) && error.message.includes("startWorker({ queues })"));
    await assert.rejects(endure.start(held, ["x"], { queue: queue("unregistered") }), UnknownQueueError);
    await assert.rejects(endure.queue("paymnets"), UnknownQueueError);
    assert.deepEqual((await endure.list()).runs, []);
    await assert.rejects(endure.start(held, ["x"], { priority: 5 }), invalid(/priority and concurrencyKey order and limit runs within a queue; give the queue too/));
    await assert.rejects(endure.start(held, ["x"], { concurrencyKey: "acct-1" }), invalid(/give the queue too/));
    await assert.rejects(endure.start(held, ["x"], { queue: "payments", priority: 1.5 }), invalid(/priority must be a whole number/));
    assert.deepEqual((await endure.list()).runs, [], "nothing stored");
  });

  test("a worker runs at most the queue's concurrency at once, in priority order; a finished run lets the next one in", async (t) => {
    const jobs = queue("jobs", { concurrency: 2 });
    const { endure, close } = await openTestEndure();
    t.after(close);
    // The queue is registered, but no worker admits while the runs are started: they all wait together.
    await (await endure.startWorker({ workflows: [held], queues: [jobs] })).stop();
    const low = await endure.start(held, ["low"], { queue: jobs, priority: -1 });
    const normal = await Promise.all(["a", "b", "c"].map((label) => endure.start(held, [label], { queue: "jobs", id: label })));
    const urgent = await endure.start(held, ["urgent"], { queue: jobs, priority: 10 });
    assert.equal((await endure.queue("jobs")).queued, 5);
    await endure.startWorker({ workflows: [held], queues: [jobs], pollInterval: 10 });
    const waitingFor = async (ids: string[]) => {
      const runs = await Promise.all(ids.map((id) => endure.get(id)));
      return runs.every((run) => run.status === "waiting");
    };
    // The urgent run was started last but goes first, with the first of the rest.
    await waitUntil(() => waitingFor([urgent.id, "a"]), "the urgent run and run a to hold the two slots");
    assert.deepEqual(await endure.queue("jobs"), { name: "jobs", concurrency: 2, keyConcurrency: null, rateLimit: null, queued: 3, active: 2 });
    for (const id of ["b", "c", low.id]) assert.equal(await endure.handle(id).status(), "queued");

    await endure.send(urgent.id, "go");
    assert.equal(await urgent.result(), "urgent");
    await waitUntil(() => waitingFor(["b"]), "run b to take the freed slot");
    assert.equal(await endure.handle("c").status(), "queued");
    for (const id of ["a", "b", "c", low.id]) {
      await waitUntil(() => waitingFor([id]), `run ${id} to be admitted`);
      await endure.send(id, "go");
      await endure.handle(id).result();
    }
    assert.deepEqual(await Promise.all(normal.map((run) => run.result())), ["a", "b", "c"]);
    assert.equal(await low.result(), "low");
    assert.deepEqual(await endure.queues(), [{ name: "jobs", concurrency: 2, keyConcurrency: null, rateLimit: null, queued: 0, active: 0 }]);
  });

  test("at most one run per concurrency key; other keys go ahead", async (t) => {
    const accounts = queue("accounts", { keyConcurrency: 1 });
    const { endure, close } = await openTestEndure({ workflows: [held], queues: [accounts] });
    t.after(close);
    await endure.start(held, ["a1"], { queue: accounts, concurrencyKey: "alice", id: "a1" });
    await endure.start(held, ["a2"], { queue: accounts, concurrencyKey: "alice", id: "a2" });
    await endure.start(held, ["b1"], { queue: accounts, concurrencyKey: "bob", id: "b1" });
    await waitUntil(async () => (await endure.handle("a1").status()) === "waiting" && (await endure.handle("b1").status()) === "waiting", "a1 and b1 to run");
    assert.equal(await endure.handle("a2").status(), "queued");
    await endure.send("a1", "go");
    await waitUntil(async () => (await endure.handle("a2").status()) === "waiting", "a2 to run once a1 finished");
    assert.equal(await endure.handle("a1").status(), "completed");
  });

  test("cancel() of a queued run cancels it at once; it never runs", async (t) => {
    const single = queue("single", { concurrency: 1 });
    const { endure, close } = await openTestEndure({ workflows: [held], queues: [single] });
    t.after(close);
    const first = await endure.start(held, ["first"], { queue: single });
    const second = await endure.start(held, ["second"], { queue: single });
    await waitUntil(async () => (await first.status()) === "waiting", "the first run to hold the slot");
    assert.equal(await endure.cancel(second.id), "cancelled");
    await assert.rejects(second.result(), CancelledError);
    assert.equal((await endure.get(second.id)).startedAt, null);
    assert.equal((await endure.queue("single")).queued, 0);
    await endure.send(first.id, "go");
    assert.equal(await first.result(), "first");
  });
});
