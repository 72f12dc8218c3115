import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { fencing, fencingBetweenSteps } from "./fixtures/fencing.js";
import type { Child } from "./fixtures/processes.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf, markedBy, openGate, readViolations } from "./fixtures/side-effects.js";

const WORKER = { workflows: ["fencing"], lease: "500ms" };

/** Resumes a SIGSTOPped worker and waits until it reports holding no run in memory. */
async function resumeUntilIdle(worker: Child): Promise<void> {
  const from = worker.events.length;
  worker.proc.kill("SIGCONT");
  await worker.waitForEvent((event) => event.event === "status" && event.activeRuns === 0, "the resumed worker to drop the run", 30_000, from);
}

test("a worker paused past its lease mid-step cannot overwrite the journal of the worker that took its run over", async () => {
  const scene = await openScene("fencing");
  const { endure, processes, effects, dir } = scene;
  try {
    const a = await processes.spawnWorker({ tag: "A", ...WORKER });
    await endure.start(fencing, [], { id: "fenced" });
    // A is inside step hold, its process blocked until gate hold-A opens: it renews nothing.
    await waitUntil(() => executionOf(effects, "fenced:0"), "worker A to be inside step hold", 30_000);
    a.proc.kill("SIGSTOP");
    const claimedByA = a.events.find((event) => event.event === "claimed" && event.runId === "fenced")!;

    // B takes the run over once A's lease lapsed, and completes it.
    openGate(dir, "hold-B");
    const b = await processes.spawnWorker({ tag: "B", ...WORKER });
    assert.equal(await scene.waitForStatus("fenced", FINISHED), "completed");
    const claimedByB = b.events.find((event) => event.event === "claimed" && event.runId === "fenced")!;
    assert.ok((claimedByB.epoch as number) > (claimedByA.epoch as number), "B's claim moved the epoch on");
    const done = await endure.get("fenced");
    assert.deepEqual(done.output, ["held by B", "released by B"]);

    // A wakes up, finishes its step, and tries to journal it: the store refuses.
    openGate(dir, "hold-A");
    await resumeUntilIdle(a);
    const rejected = a.events.find((event) => event.event === "commit-rejected" && event.runId === "fenced");
    assert.ok(rejected, `A's late commit reached the store and was refused; A printed ${JSON.stringify(a.events.filter((event) => event.event !== "status"))}`);
    assert.equal(rejected.epoch, claimedByA.epoch, "A committed under its old epoch");
    assert.deepEqual((rejected.entries as { position: number; name: string }[]).map((entry) => [entry.position, entry.name]), [[0, "hold"]]);
    assert.match(JSON.stringify(rejected.entries), /held by A/);
    assert.deepEqual(JSON.parse(executionOf(effects, "fenced:0")!.workers), ["A", "B"], "both workers ran step hold");
    assert.ok(a.alive, "A lives on; it dropped the run");
    // A's commit was refused, so it never went on to step release.
    assert.deepEqual(JSON.parse(executionOf(effects, "fenced:1")!.workers), ["B"]);

    // The run is B's, exactly as B left it.
    assert.deepEqual(await endure.get("fenced"), done);
  } finally {
    await scene.dispose();
  }
});

test("a worker paused past its lease between steps does not start a step the new owner already journaled", async () => {
  const scene = await openScene("fencing-between");
  const { endure, processes, effects, dir } = scene;
  try {
    const a = await processes.spawnWorker({ tag: "A", ...WORKER });
    await endure.start(fencingBetweenSteps, [], { id: "between" });
    // A journaled step first and stalls in the workflow body before calling step release.
    await waitUntil(() => markedBy(effects, "between-steps").includes("A"), "worker A to stall between the steps", 30_000);
    a.proc.kill("SIGSTOP");

    openGate(dir, "between-B");
    await processes.spawnWorker({ tag: "B", ...WORKER });
    assert.equal(await scene.waitForStatus("between", FINISHED), "completed");
    const done = await endure.get("between");
    assert.deepEqual(done.output, ["first by A", "released by B"]);

    // A resumes past its lease: it must find out it lost the run before running anything for it.
    openGate(dir, "between-A");
    await resumeUntilIdle(a);
    assert.deepEqual(await endure.get("between"), done, "the run is B's, exactly as B left it");
    assert.deepEqual(
      readViolations(effects), [],
      "a step body started although the journal already held its outcome (A ran step release after B had journaled it)",
    );
    assert.deepEqual(JSON.parse(executionOf(effects, "between:1")!.workers), ["B"], "only B ran step release");
  } finally {
    await scene.dispose();
  }
});
