import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  checkReplay,
  InvalidRunExportError,
  NonRetryableError,
  now,
  parseRunExport,
  patched,
  patchUsage,
  type RunExport,
  sleep,
  step,
  uuid,
  waitForEvent,
  workflow,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

let executions = 0;
const charge = step("charge", async (amount: number) => {
  executions++;
  if (amount < 0) throw new NonRetryableError("a negative amount");
  return { charged: amount };
});
const receipt = step("receipt", async (id: string) => {
  executions++;
  return `receipt-${id}`;
});
const audit = step("audit", async () => {
  executions++;
});

// The recorded code: a uuid, a charge, a short sleep, an approval, a receipt.
const recordedCode = async (amount: number) => {
  const id = uuid();
  const charged = await charge(amount);
  await sleep(1);
  await waitForEvent("approved");
  return { id, charged, receipt: await receipt(id) };
};
const payment = workflow("payment", recordedCode);

/** The same workflow as a later deploy would define it. */
const deploy = (fn: (amount: number) => Promise<unknown>) => workflow("payment", fn);

describe("replay check", () => {
  test("recorded runs replay cleanly against the same code, executing nothing; exports round-trip through JSON", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [payment] });
    t.after(close);
    const runs = await recordRuns(endure);
    const before = executions;
    const reports = await checkReplay([payment], runs);
    assert.equal(executions, before, "a replay check executes no step");
    assert.deepEqual(reports.map((report) => [report.runId, report.status, report.result]), [
      ["done", "completed", "ok"], ["failed", "failed", "ok"], ["waiting", "waiting", "ok"],
    ]);
  });

  test("a change that inserts a call where runs already went diverges, with the position and both calls", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [payment] });
    t.after(close);
    const runs = await recordRuns(endure);
    const changed = deploy(async (amount) => {
      const id = uuid();
      await audit(); // inserted before the charge, without patched()
      return { id, charged: await charge(amount) };
    });
    const reports = await checkReplay([changed], runs);
    for (const report of reports) {
      assert.equal(report.result, "diverged", report.runId);
      assert.deepEqual({ ...report.divergence, message: undefined }, { position: 1, expected: 'step "charge"', actual: 'step "audit"', message: undefined });
      assert.equal(report.divergence!.message, 'diverges at position 1: the journal recorded step "charge", but the code now does step "audit"');
    }
  });

  test("a call added after the end of a finished run diverges; an unfinished run may go on to new calls", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [payment] });
    t.after(close);
    const runs = await recordRuns(endure);
    const extended = deploy(async (amount) => {
      const result = await recordedCode(amount);
      await audit();
      return result;
    });
    const byId = Object.fromEntries((await checkReplay([extended], runs)).map((report) => [report.runId, report]));
    assert.equal(byId.done!.result, "diverged");
    assert.deepEqual({ ...byId.done!.divergence }, {
      position: 5, expected: "the run to end there (it completed)", actual: 'step "audit"',
      message: 'diverges at position 5: the journal recorded the run to end there (it completed), but the code now does step "audit"',
    });
    assert.equal(byId.failed!.result, "ok", "the failed run still fails at the charge");
    assert.equal(byId.waiting!.result, "ok", "the waiting run has not got there yet");
  });

  test("the same change behind patched() replays cleanly, and patchUsage() says which runs still need the old path", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [payment] });
    t.after(close);
    const runs = await recordRuns(endure);
    const patchedCode = deploy(async (amount) => {
      const id = uuid();
      if (patched("audit-first")) await audit();
      const charged = await charge(amount);
      await sleep(1);
      await waitForEvent("approved");
      if (patched("audit-last")) await audit();
      return { id, charged, receipt: await receipt(id) };
    });
    // An object of exports, as `import * as workflows` gives: what is not a workflow is ignored.
    const reports = await checkReplay({ patchedCode, audit, version: "2" }, runs);
    assert.deepEqual(reports.map((report) => report.result), ["ok", "ok", "ok"]);
    const waiting = reports.find((report) => report.runId === "waiting")!;
    assert.deepEqual(waiting.patches, [{ id: "audit-first", path: "old" }]);
    const unfinished = reports.filter((report) => report.status === "waiting");
    assert.deepEqual(patchUsage(unfinished, ["audit-last", "unused"]), [
      { id: "audit-first", oldPath: ["waiting"], newPath: [] },
      { id: "audit-last", oldPath: [], newPath: [] },
      { id: "unused", oldPath: [], newPath: [] },
    ]);
  });

  test("a time read moved where a step was, and code that stops early, diverge", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [payment] });
    t.after(close);
    const runs = await recordRuns(endure);
    const moved = deploy(async (amount) => ({ at: now(), charged: await charge(amount) }));
    const [report] = await checkReplay([moved], runs.slice(0, 1));
    assert.deepEqual({ position: report!.divergence!.position, expected: report!.divergence!.expected, actual: report!.divergence!.actual }, { position: 0, expected: "uuid()", actual: "now()" });

    const early = deploy(async () => ({ id: uuid() }));
    const [stopped] = await checkReplay([early], runs.slice(0, 1));
    assert.equal(stopped!.divergence!.actual, "nothing: it ends there, with the workflow returning");
  });

  test("recordedRuns() reads the unfinished runs by default, or the statuses asked for", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [payment] });
    t.after(close);
    await recordRuns(endure);
    const ids = async (filter: Parameters<typeof endure.recordedRuns>[0]) => {
      const found: string[] = [];
      for await (const run of endure.recordedRuns(filter)) found.push(run.run.id);
      return found.sort();
    };
    assert.deepEqual(await ids({ workflows: ["payment"] }), ["waiting"]);
    assert.deepEqual(await ids({ workflows: ["payment"], statuses: ["completed", "failed"] }), ["done", "failed"]);
    assert.deepEqual(await ids({ workflows: ["other"] }), []);
  });

  test("a run of a workflow the code does not define is reported, not skipped", async () => {
    const [report] = await checkReplay([], [exported("lost", "refund")]);
    assert.equal(report!.result, "error");
    assert.match(report!.error!, /The code defines no workflow "refund"/);
  });

  test("a file that is not an exported run gets a clear error naming the problem", () => {
    assert.throws(() => parseRunExport("{", "run.json"), (error: unknown) => error instanceof InvalidRunExportError && /^run\.json is not a run exported by "endure export": it is not JSON/.test(error.message));
    assert.throws(() => parseRunExport(JSON.stringify({ format: "other" }), "run.json"), /run\.json is not a run exported by "endure export": format: /);
    const broken = { ...exported("x", "payment"), journal: [{ position: -1 }] };
    assert.throws(() => parseRunExport(JSON.stringify(broken), "x.json"), (error: unknown) => error instanceof InvalidRunExportError && error.code === "INVALID_RUN_EXPORT" && /journal\.0\.position/.test(error.message));
  });
});

/** Three runs of the recorded code: completed, failed at the charge, and waiting for approval. */
async function recordRuns(endure: Awaited<ReturnType<typeof openTestEndure>>["endure"]): Promise<RunExport[]> {
  const done = await endure.start(payment, [10], { id: "done" });
  await waitUntil(async () => (await endure.get("done")).status === "waiting", "run done to wait for approval");
  await endure.send(done.id, "approved", true);
  await done.result();
  await endure.start(payment, [-1], { id: "failed" }).then((run) => run.result()).catch(() => {});
  await endure.start(payment, [20], { id: "waiting" });
  await waitUntil(async () => (await endure.get("waiting")).status === "waiting", "run waiting to wait for approval");
  // Through JSON, as `endure export` writes and `endure replay --from` reads them.
  return Promise.all(["done", "failed", "waiting"].map(async (id) => parseRunExport(JSON.stringify(await endure.exportRun(id)), `${id}.json`)));
}

function exported(id: string, workflow: string): RunExport {
  return {
    format: "endure-run/1", exportedAt: new Date().toISOString(), journal: [],
    run: { id, workflow, status: "pending", input: "[[]]", cancelRequested: false, cancelDelivered: false } as unknown as RunExport["run"],
  };
}
