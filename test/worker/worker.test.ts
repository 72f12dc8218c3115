import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Endure, step, stepContext, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

describe("Worker", () => {
  test("stop() lets a running step finish and commit, then hands the run to another worker", async (t) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const executions: string[] = [];
    const slow = step("slow", async () => {
      executions.push(`slow:${stepContext().attempt}`);
      await gate;
      return "slow done";
    });
    const after = step("after", async () => {
      executions.push("after");
      return "after done";
    });
    const wf = workflow("graceful", async () => [await slow(), await after()]);
    const { endure, url, close } = await openTestEndure();
    t.after(close);

    const first = await endure.startWorker({ workflows: [wf], pollInterval: 10 });
    const run = await endure.start(wf, []);
    await waitUntil(() => executions.length === 1, "the slow step to start");
    const stopping = first.stop();
    release();
    await stopping;
    assert.equal(first.activeRuns, 0);
    const afterStop = await endure.get(run.id);
    assert.equal(afterStop.status, "pending", "the run was given back, not left under a lease");
    assert.deepEqual(afterStop.journal.map((entry) => [entry.name, entry.status]), [["slow", "completed"]]);

    const other = await Endure.open({ store: url });
    t.after(() => other.close());
    await other.startWorker({ workflows: [wf], pollInterval: 10 });
    assert.deepEqual(await other.handle(run.id).result(), ["slow done", "after done"]);
    assert.deepEqual(executions, ["slow:1", "after"], "the slow step was not run again");
  });

  test("never holds more runs than its concurrency", async (t) => {
    let inFlight = 0;
    let most = 0;
    const busy = step("busy", async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
    });
    const wf = workflow("bounded", async () => await busy());
    const { endure, close } = await openTestEndure({ workflows: [wf], concurrency: 3 });
    t.after(close);

    const runs = await Promise.all(Array.from({ length: 20 }, () => endure.start(wf, [])));
    await Promise.all(runs.map((run) => run.result()));
    assert.ok(most <= 3, `at most 3 at once, saw ${most}`);
    assert.ok(most >= 2, `runs did run concurrently, saw ${most}`);
  });

  test("runs are claimed only by workers that serve their workflow", async (t) => {
    const alpha = workflow("alpha", async () => "alpha");
    const beta = workflow("beta", async () => "beta");
    const { endure, close } = await openTestEndure({ workflows: [alpha] });
    t.after(close);

    const a = await endure.start(alpha, []);
    const b = await endure.start(beta, []);
    assert.equal(await a.result(), "alpha");
    assert.equal(await b.status(), "pending");
    await endure.startWorker({ workflows: { beta }, pollInterval: 10 });
    assert.equal(await b.result(), "beta");
    // Once a worker served it, a client can start it by name.
    assert.equal(await (await endure.start("beta", [])).result(), "beta");
  });

  test("refuses options it cannot use", async (t) => {
    const wf = workflow("options", async () => 1);
    const { endure, close } = await openTestEndure();
    t.after(close);
    await assert.rejects(endure.startWorker({ workflows: [wf], concurrency: 0 }), /startWorker\(\): concurrency must be a whole number of at least 1; got 0/);
    await assert.rejects(endure.startWorker({ workflows: [wf], lease: "10ms" }), /lease must be at least 100 ms/);
    const twin = workflow("options", async () => 2);
    await assert.rejects(endure.startWorker({ workflows: [wf, twin] }), /two different workflows are named "options"/);
  });
});
