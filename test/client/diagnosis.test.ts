import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, test } from "node:test";
import { queue, sleep, step, subscribe, waitForEvent, workflow, type Diagnosis, type Endure } from "../../src/index.js";
import { openStore } from "../../src/store/open-store.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

const sleeper = workflow("diag-sleeper", async () => {
  await sleep("2h");
});
const listener = workflow("diag-listener", async () => await waitForEvent("approval", { timeout: "1 day" }));
const parent = workflow("diag-parent", async () => await listener());
const flaky = step("flaky", async () => {
  throw new Error("the payment service answered 503");
}, { retry: { maxAttempts: 3, initialDelay: "1h", maxDelay: "1h" } });
const retrier = workflow("diag-retrier", async () => await flaky());
const failing = workflow("diag-failing", async () => await step("charge", async () => {
  throw new Error("card declined");
}, { retry: { maxAttempts: 1 } })());

/** The run's diagnosis once its status is `status`. */
async function diagnosisWhen(endure: Endure, id: string, status: string): Promise<Diagnosis> {
  const info = await waitUntil(async () => {
    const run = await endure.get(id);
    return run.status === status ? run : undefined;
  }, `run ${id} to be ${status}`);
  assert.ok(info.diagnosis, `run ${id} (${status}) has a diagnosis`);
  return info.diagnosis;
}

describe("why is it stuck? get(id).diagnosis", () => {
  test("says when a sleeping run wakes, and what event a waiting run waits for, and until when", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [sleeper, listener] });
    t.after(close);
    const asleep = await endure.start(sleeper, []);
    const sleeping = await diagnosisWhen(endure, asleep.id, "waiting");
    assert.equal(sleeping.reason, "sleeping");
    assert.match(sleeping.summary, new RegExp(`^Sleeping until ${ISO.source} \\(in (1|2) hours?\\)\\.$`));
    assert.ok(sleeping.until && Math.abs(sleeping.until.getTime() - (Date.now() + 2 * 3600_000)) < 60_000);

    const waiting = await endure.start(listener, []);
    const diagnosis = await diagnosisWhen(endure, waiting.id, "waiting");
    assert.equal(diagnosis.reason, "waiting-for-event");
    assert.match(diagnosis.summary, /^Waiting for event "approval" since .+; it times out at .+ \(in (23|24) hours\)\.$/);
  });

  test("names the event type a subscribed run waits for", async (t) => {
    const subscriber = workflow("diag-subscriber", async () => {
      const pushes = await subscribe("github.push");
      return await pushes.next({ timeout: "1 hour" });
    });
    const { endure, close } = await openTestEndure({ workflows: [subscriber] });
    t.after(close);
    const run = await endure.start(subscriber, []);
    const diagnosis = await diagnosisWhen(endure, run.id, "waiting");
    assert.equal(diagnosis.reason, "waiting-for-event");
    assert.match(diagnosis.summary, /^Waiting for the next "github\.push" event of its subscription \(position 0\) since .+; it times out at .+ \(in (59|60) minutes\)\.$/);
  });

  test("names the child run a parent waits for, with the child's status", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [parent, listener] });
    t.after(close);
    const run = await endure.start(parent, [], { id: "order-7" });
    await waitUntil(async () => (await endure.get("order-7/0").catch(() => undefined))?.status === "waiting", "the child to wait");
    const diagnosis = await diagnosisWhen(endure, run.id, "waiting");
    assert.equal(diagnosis.reason, "waiting-for-child");
    assert.match(diagnosis.summary, /^Waiting for child run "order-7\/0" \(waiting\) since /);
  });

  test("says a step is retrying: which attempt failed, with what error, and when the next one is", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [retrier] });
    t.after(close);
    const run = await endure.start(retrier, []);
    const diagnosis = await diagnosisWhen(endure, run.id, "waiting");
    assert.equal(diagnosis.reason, "retrying");
    assert.match(diagnosis.summary, /^Retrying step "flaky" \(position 0\): attempt 1 failed with Error: the payment service answered 503; the next attempt is at .+ \(in (59|60) minutes\)\.$/);
  });

  test("says where a failed run failed and what to do", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [failing] });
    t.after(close);
    const run = await endure.start(failing, []);
    const diagnosis = await diagnosisWhen(endure, run.id, "failed");
    assert.equal(diagnosis.reason, "failed");
    assert.match(diagnosis.summary, /^Failed at .+ in step "charge" \(position 0\): .*card declined\. Fix the cause, then retry the run\.$/);
  });

  test("says where a blocked run's code stopped matching its journal, naming both calls", async (t) => {
    let version: "original" | "changed" = "original";
    const reserve = step("reserve", async () => "reserved");
    const hold = step("hold", async () => "held");
    const changing = workflow("diag-changing", async () => {
      await (version === "original" ? reserve() : hold());
      await waitForEvent("go");
    });
    const { endure, close } = await openTestEndure({ workflows: [changing] });
    t.after(close);
    const run = await endure.start(changing, []);
    await diagnosisWhen(endure, run.id, "waiting");
    version = "changed";
    await endure.send(run.id, "go");
    const diagnosis = await diagnosisWhen(endure, run.id, "blocked");
    assert.equal(diagnosis.reason, "blocked");
    assert.equal(diagnosis.summary, `Blocked by non-determinism at position 0: the journal recorded step "reserve", but the code now calls step "hold". Deploy code that matches the journal, then retry the run.`);
  });

  test("says no live worker serves a pending run's workflow, and which worker holds a running one", async (t) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = workflow("diag-slow", async () => await step("wait-for-test", () => released)());
    const { endure, close } = await openTestEndure();
    t.after(close);
    const run = await endure.start(slow, []);
    const nobody = await diagnosisWhen(endure, run.id, "pending");
    assert.equal(nobody.reason, "no-worker");
    assert.match(nobody.summary, /no live worker serves workflow "diag-slow": start one \(endure worker <file>\)\.$/);

    const worker = await endure.startWorker({ workflows: [slow], pollInterval: 10 });
    const held = await diagnosisWhen(endure, run.id, "running");
    assert.equal(held.reason, "running");
    assert.match(held.summary, new RegExp(`^Running on worker ${hostname()}:${process.pid}; its last heartbeat was at .+, and its lease runs until .+\\.$`));
    assert.equal((await endure.get(run.id)).owner, worker.id);
    release();
    await run.result();
    assert.equal((await endure.get(run.id)).diagnosis, null, "a completed run needs no diagnosis");
  });

  test("says a run's holder stopped renewing its lease and who takes it over", async (t) => {
    const { endure, url, close } = await openTestEndure();
    t.after(close);
    const store = await openStore(url);
    t.after(() => store.close());
    // A worker that claimed the run and died: its lease and its heartbeat are long past.
    await store.heartbeatWorker({ id: "dead-worker", name: "box-9:4242", host: "box-9", pid: 4242, workflows: ["diag-orphan"], queues: [], concurrency: 5, activeRuns: 1, heartbeatMs: 1000, version: null, compatibleWith: [] });
    await store.createRun({ id: "orphan", workflow: "diag-orphan", input: "[[]]" });
    await store.claimRuns({ workerId: "dead-worker", workflows: ["diag-orphan"], limit: 1, leaseMs: 100, maxLapses: 5, crashLoopError: () => "" });
    const diagnosis = await waitUntil(async () => {
      const found = (await endure.get("orphan")).diagnosis;
      return found?.reason === "lease-lapsed" ? found : undefined;
    }, "the lease to lapse");
    assert.match(diagnosis.summary, /^Held by worker box-9:4242, whose lease lapsed at .+; its last heartbeat was at .+\. It has likely died\. No other live worker serves workflow "diag-orphan": start one to take the run over\.$/);
  });

  test("says a queued run waits behind its queue's concurrency limit, or its key's", async (t) => {
    const lane = queue("diag-lane", { concurrency: 1 });
    const perAccount = queue("diag-accounts", { keyConcurrency: 1 });
    const { endure, close } = await openTestEndure({ workflows: [listener], queues: [lane, perAccount] });
    t.after(close);
    const first = await endure.start(listener, [], { queue: lane });
    await diagnosisWhen(endure, first.id, "waiting");
    const second = await endure.start(listener, [], { queue: lane });
    const behind = await diagnosisWhen(endure, second.id, "queued");
    assert.equal(behind.reason, "queued");
    assert.equal(behind.summary, `Queued in queue "diag-lane" behind its concurrency limit: its one slot is in use, and 1 run waits in it.`);

    const a = await endure.start(listener, [], { queue: perAccount, concurrencyKey: "acct-1" });
    await diagnosisWhen(endure, a.id, "waiting");
    const b = await endure.start(listener, [], { queue: perAccount, concurrencyKey: "acct-1" });
    assert.equal((await diagnosisWhen(endure, b.id, "queued")).summary, `Queued in queue "diag-accounts" behind its limit per key: 1 of 1 runs with key "acct-1" are active.`);
  });

  test("workers() lists live workers with their workflows until they stop; statusCounts() counts runs", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const worker = await endure.startWorker({ workflows: [sleeper], concurrency: 7 });
    const [listed] = await endure.workers();
    assert.equal(listed?.id, worker.id);
    assert.deepEqual({ ...listed, startedAt: undefined, lastHeartbeatAt: undefined }, {
      id: worker.id, name: `${hostname()}:${process.pid}`, host: hostname(), pid: process.pid, workflows: ["diag-sleeper"], queues: [],
      concurrency: 7, activeRuns: 0, alive: true, startedAt: undefined, lastHeartbeatAt: undefined, version: null, compatibleWith: [],
    });
    await endure.start(sleeper, []);
    await waitUntil(async () => (await endure.statusCounts()).waiting === 1, "one waiting run");
    assert.deepEqual(await endure.statusCounts(), { queued: 0, pending: 0, running: 0, waiting: 1, completed: 0, failed: 0, cancelled: 0, blocked: 0 });
    await worker.stop();
    assert.deepEqual(await endure.workers(), [], "a worker that stopped leaves the registry");
  });
});
