import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkReplay, deprecatePatch, InvalidArgumentError, NonDeterminismError, NotInWorkflowError, patched, step, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

/** Which code is "deployed": the workflow below is rewritten between runs, as a deploy would. */
let deployed: "v1" | "v2" | "v3" | "v4" = "v1";
const executed: string[] = [];
const track = (name: string) => step(name, async (order: string) => {
  executed.push(`${name}:${order}`);
  return name;
});
const [reserve, checkFraud, notify, ship] = [track("reserve"), track("check-fraud"), track("notify"), track("ship")];

// v1: reserve, wait for payment, ship.
// v2: adds a fraud check before the wait and a notification after it, each behind a patch.
// v3: the patches' old paths are gone: deprecatePatch() keeps journaling them.
// v4: the patch calls are gone too.
const order = workflow("order", async (id: string) => {
  const calls = [await reserve(id)];
  if (deployed === "v2" && patched("fraud-check")) calls.push(await checkFraud(id));
  if (deployed === "v3") deprecatePatch("fraud-check");
  if (deployed === "v3" || deployed === "v4") calls.push(await checkFraud(id));
  await waitForEvent("paid");
  if (deployed === "v2" && patched("notify")) calls.push(await notify(id));
  if (deployed === "v3") deprecatePatch("notify");
  if (deployed === "v3" || deployed === "v4") calls.push(await notify(id));
  calls.push(await ship(id));
  return calls;
});

// A patch inside a loop: v1 has no audit step; v2 audits each item behind one patch.
let loopDeployed: "v1" | "v2" = "v1";
const [work, audit] = [track("work"), track("audit")];
const batch = workflow("batch", async () => {
  for (const item of ["a", "b", "c"]) {
    if (loopDeployed === "v2" && patched("audit")) await audit(item);
    await work(item);
    await waitForEvent("next");
  }
});

// Every wait suspends the run, so the next event makes a worker replay it with the code deployed then.
const suspendEveryWait = { workflows: [order], inMemoryWaitLimit: 0 };

describe("patched(): versioned changes", () => {
  test("a run in flight keeps the old path where it had passed the change, and takes the new one where it had not", async (t) => {
    const { endure, close } = await openTestEndure(suspendEveryWait);
    t.after(close);
    deployed = "v1";
    executed.length = 0;
    const old = await endure.start(order, ["old"]);
    await waitForStatus(endure, old.id, "waiting");

    deployed = "v2";
    const fresh = await endure.start(order, ["new"]);
    await waitForStatus(endure, fresh.id, "waiting");
    await endure.send(old.id, "paid", null);
    await endure.send(fresh.id, "paid", null);

    // The old run passed "fraud-check" before the deploy (its journal has no marker there), and
    // reaches "notify" after it.
    assert.deepEqual(await old.result(), ["reserve", "notify", "ship"]);
    assert.deepEqual(await fresh.result(), ["reserve", "check-fraud", "notify", "ship"]);
    assert.deepEqual(executed.filter((call) => call.endsWith(":old")), ["reserve:old", "notify:old", "ship:old"]);

    const journal = (await endure.get(fresh.id)).journal.map((entry) => `${entry.kind}:${entry.name}`);
    assert.deepEqual(journal, ["step:reserve", "patch:fraud-check", "step:check-fraud", "event:paid", "patch:notify", "step:notify", "step:ship"]);
  });

  test("deprecatePatch() journals the patch for new runs and replays runs with or without it; a removed patch call is skipped", async (t) => {
    const { endure, close } = await openTestEndure(suspendEveryWait);
    t.after(close);
    deployed = "v2";
    const marked = await endure.start(order, ["marked"]);
    await waitForStatus(endure, marked.id, "waiting");

    deployed = "v3";
    const deprecated = await endure.start(order, ["deprecated"]);
    await waitForStatus(endure, deprecated.id, "waiting");
    assert.deepEqual((await endure.get(deprecated.id)).journal.map((entry) => `${entry.kind}:${entry.name}`), ["step:reserve", "patch:fraud-check", "step:check-fraud", "event:paid"]);

    deployed = "v4";
    await endure.send(marked.id, "paid", null);
    await endure.send(deprecated.id, "paid", null);
    assert.deepEqual(await marked.result(), ["reserve", "check-fraud", "notify", "ship"]);
    assert.deepEqual(await deprecated.result(), ["reserve", "check-fraud", "notify", "ship"]);
  });

  test("code that drops a patch's old path while a run still needs it blocks that run, naming the call", async (t) => {
    const { endure, close } = await openTestEndure(suspendEveryWait);
    t.after(close);
    deployed = "v1";
    const old = await endure.start(order, ["too-early"]);
    await waitForStatus(endure, old.id, "waiting");
    deployed = "v4";
    await endure.send(old.id, "paid", null);
    const error = await old.result().then(() => assert.fail("the run should be blocked"), (thrown: unknown) => thrown);
    assert.ok(error instanceof NonDeterminismError);
    assert.equal(error.position, 1);
    assert.equal(error.expected, 'waitForEvent("paid")');
    assert.equal(error.actual, 'step "check-fraud"');
  });

  test("in a loop, the iterations a run had done keep the old path, later ones take the new one, and the patch is journaled once", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [batch], inMemoryWaitLimit: 0 });
    t.after(close);
    loopDeployed = "v1";
    executed.length = 0;
    const run = await endure.start(batch, []);
    await waitForStatus(endure, run.id, "waiting");
    loopDeployed = "v2";
    const untilWaitingForEvent = (count: number) => waitUntil(async () => {
      const info = await endure.get(run.id);
      return info.status === "waiting" && info.journal.filter((entry) => entry.kind === "event").length === count;
    }, `the run to wait for its event ${count}`);
    await endure.send(run.id, "next", null);
    await untilWaitingForEvent(2);
    await endure.send(run.id, "next", null);
    await untilWaitingForEvent(3);
    // Item a went the old way, so the replay check counts the run on the old path.
    const [report] = await checkReplay([batch], [await endure.exportRun(run.id)]);
    await endure.send(run.id, "next", null);
    await run.result();
    assert.deepEqual([report!.result, report!.patches], ["ok", [{ id: "audit", path: "old" }]]);
    assert.deepEqual(executed, ["work:a", "audit:b", "work:b", "audit:c", "work:c"]);
    const journal = (await endure.get(run.id)).journal.map((entry) => `${entry.kind}:${entry.name}`);
    assert.deepEqual(journal, ["step:work", "event:next", "patch:audit", "step:audit", "step:work", "event:next", "step:audit", "step:work", "event:next"]);
  });

  test("bad ids and calls outside a workflow get clear errors", async (t) => {
    assert.throws(() => patched("x"), NotInWorkflowError);
    assert.throws(() => deprecatePatch("x"), NotInWorkflowError);
    const bad = workflow("bad-patch-id", async () => patched(""));
    const { endure, close } = await openTestEndure({ workflows: [bad] });
    t.after(close);
    const run = await endure.start(bad, []);
    const error = await run.result().then(() => assert.fail("the run should fail"), (thrown: unknown) => thrown) as Error;
    assert.ok(error.cause instanceof InvalidArgumentError);
    assert.match(error.cause.message, /patched\(\) needs a change id of 1 to 200 characters, e\.g\. patched\("fraud-check"\); got ""/);
  });
});

async function waitForStatus(endure: Awaited<ReturnType<typeof openTestEndure>>["endure"], id: string, status: string): Promise<void> {
  await waitUntil(async () => (await endure.get(id)).status === status, `run ${id} to be ${status}`);
}
