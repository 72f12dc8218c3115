import assert from "node:assert/strict";
import { test } from "node:test";
import type { Endure } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import type { Child } from "./fixtures/processes.js";
import { openScene } from "./fixtures/scene.js";
import { readExecutions } from "./fixtures/side-effects.js";

const WORKER = { workflows: ["trigger-dispatch"], pollInterval: "20ms", lease: "500ms" };
const ROUNDS = 6;
const PER_ROUND = 8;
/** The event of each round whose filtering blocks the worker, which the test then kills. */
const SLOW = 4;

async function runIds(endure: Endure, trigger: string): Promise<string[]> {
  return (await endure.list({ tags: [`trigger:${trigger}`], limit: 1000 })).runs.map((run) => run.id).sort();
}

test("each event starts exactly one run per trigger, with workers SIGKILLed between receipt and run start, over many rounds", async () => {
  const scene = await openScene("trigger-dispatch");
  const { endure, processes, effects } = scene;
  try {
    const workers: Child[] = [await processes.spawnWorker({ tag: "A0", ...WORKER }), await processes.spawnWorker({ tag: "B0", ...WORKER })];
    const seqs: number[] = [];
    const killedWhileFiltering: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let slowSeq = 0;
      for (let n = 0; n < PER_ROUND; n++) {
        const { seq } = await endure.emit("shop.order", { round, n, slow: n === SLOW }, { key: `order-${round}-${n}` });
        seqs.push(seq);
        if (n === SLOW) slowSeq = seq;
      }
      // The worker whose filter is on the slow event is inside the dispatch transaction: kill it there.
      const victim = await waitUntil(
        () => workers.find((child) => child.alive && child.events.some((event) => event.event === "filtering" && event.seq === slowSeq)),
        `a worker to filter event ${slowSeq}`, 30_000, 2,
      );
      await victim.kill("SIGKILL");
      killedWhileFiltering.push(slowSeq);
      workers.splice(workers.indexOf(victim), 1, await processes.spawnWorker({ tag: `${victim.tag[0]}${round}`, ...WORKER }));
      // A redelivery of an event already recorded changes nothing.
      assert.equal((await endure.emit("shop.order", { round, n: 0 }, { key: `order-${round}-0` })).duplicate, true);
    }

    const expected = (trigger: string) => seqs.map((seq) => `trigger:${trigger}:${seq}`).sort();
    await waitUntil(async () => (await runIds(endure, "fulfil-orders")).length >= seqs.length && (await runIds(endure, "audit-orders")).length >= seqs.length,
      "every event to start its runs", 60_000, 50);
    await scene.waitForAllFinished([...expected("fulfil-orders"), ...expected("audit-orders")]);
    assert.deepEqual(await runIds(endure, "fulfil-orders"), expected("fulfil-orders"), "one fulfil run per event, no other");
    assert.deepEqual(await runIds(endure, "audit-orders"), expected("audit-orders"), "one audit run per event, no other");
    for (const seq of seqs) {
      const run = await endure.get(`trigger:fulfil-orders:${seq}`);
      assert.equal(run.status, "completed");
      assert.equal(run.output, seq, "the run got its own event");
    }
    assert.equal(killedWhileFiltering.length, ROUNDS);
    // Every killed dispatch was rolled back and done again by another worker: its slow event was filtered twice or more.
    for (const seq of killedWhileFiltering) {
      assert.ok(processes.events("filtering").filter((event) => event.seq === seq).length >= 2, `event ${seq} was filtered again after the kill`);
    }
    // Steps are at-least-once: a worker blocked in the slow filter past its lease may start a step that
    // another worker took over and finished meanwhile. Each run's step ran; the runs are what is exactly once.
    assert.equal(new Set(readExecutions(effects).map((row) => row.run_id)).size, seqs.length, "each fulfil run delivered");
  } finally {
    await scene.dispose();
  }
});
