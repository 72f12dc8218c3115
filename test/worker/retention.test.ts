import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { step, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

describe("retention", () => {
  test("a worker with retention deletes runs finished longer ago and events received longer ago, and keeps the rest", async (t) => {
    const quick = workflow("quick", async (n: number) => await step("double", async (x: number) => x * 2)(n));
    const patient = workflow("patient", async () => await waitForEvent("go"));
    const { endure, close } = await openTestEndure();
    t.after(close);

    const keeper = await endure.startWorker({ workflows: [quick, patient], pollInterval: 10 });
    const old = await Promise.all([1, 2, 3].map((n) => endure.start(quick, [n])));
    for (const run of old) await run.result();
    const waiting = await endure.start(patient, []);
    await waitUntil(async () => (await waiting.status()) === "waiting", "the patient run to wait");
    const oldEvent = await endure.emit("audit.entry", { n: 1 });
    // Retention is "finished longer ago than 300 ms": this is the scenario, not a race.
    await delay(400);
    const recent = await endure.start(quick, [4]);
    await recent.result();
    const recentEvent = await endure.emit("audit.entry", { n: 2 });
    await keeper.stop();

    await endure.startWorker({ workflows: [quick, patient], pollInterval: 10, retention: "300ms" });
    await waitUntil(async () => (await endure.list({ workflow: "quick" })).runs.length === 1, "the old runs to be deleted");
    for (const run of old) await assert.rejects(endure.get(run.id), { code: "RUN_NOT_FOUND" });
    assert.equal((await endure.get(recent.id)).status, "completed", "a run finished within retention stays");
    assert.equal((await endure.get(waiting.id)).status, "waiting", "an unfinished run stays");
    await waitUntil(async () => (await endure.events.get(oldEvent.seq)) === undefined, "the old event to be deleted");
    assert.equal((await endure.events.get(recentEvent.seq))?.seq, recentEvent.seq, "an event received within retention stays");
  });

  test("refuses a retention that is not a positive duration", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const wf = workflow("any", async () => 1);
    await assert.rejects(endure.startWorker({ workflows: [wf], retention: 0 }), { code: "INVALID_ARGUMENT", message: /retention must be longer than 0/ });
    await assert.rejects(endure.startWorker({ workflows: [wf], retention: "forever" }), { code: "INVALID_ARGUMENT" });
  });
});
