import assert from "node:assert/strict";
import { test } from "node:test";
import type { JournalEntryInfo } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf } from "./fixtures/side-effects.js";
import { sleepAfterRestart } from "./fixtures/timers-after-restart.js";

function sleepEntry(journal: JournalEntryInfo[]): JournalEntryInfo {
  const entry = journal.find((candidate) => candidate.kind === "sleep");
  assert.ok(entry, `no sleep in the journal: ${JSON.stringify(journal)}`);
  return entry;
}

test("a suspended sleep fires after every worker was SIGKILLed, at its journaled time", async () => {
  const SLEEP_MS = 2000;
  const scene = await openScene("timers");
  const { endure, processes, effects } = scene;
  const worker = { workflows: ["timers-after-restart"], lease: "500ms", inMemoryWaitLimit: "200ms" };
  try {
    const a = await processes.spawnWorker({ tag: "A", ...worker });
    await endure.start(sleepAfterRestart, [SLEEP_MS], { id: "nap" });
    // Longer than inMemoryWaitLimit: the run is written down with its wake-up time and dropped.
    await scene.waitForStatus("nap", ["waiting"]);
    const suspended = await endure.get("nap");
    const planned = sleepEntry(suspended.journal);
    assert.equal(planned.status, "waiting");
    assert.ok(planned.wakeAt && suspended.wakeAt, "a waiting sleep has a wake-up time");
    assert.equal(suspended.wakeAt.getTime(), planned.wakeAt.getTime(), "the run wakes when its sleep does");
    const plannedMs = planned.wakeAt.getTime() - planned.startedAt!.getTime();
    assert.ok(Math.abs(plannedMs - SLEEP_MS) < 50, `the sleep was planned ${plannedMs} ms long`);

    await a.kill("SIGKILL");
    const wakeAt = planned.wakeAt.getTime();
    await waitUntil(() => Date.now() > wakeAt + 100, "the wake-up time to pass with no worker alive", SLEEP_MS + 5000, 20);

    const b = await processes.spawnWorker({ tag: "B", ...worker });
    assert.equal(await scene.waitForStatus("nap", FINISHED), "completed");
    const run = await endure.get<{ before: number; after: number }>("nap");
    const slept = sleepEntry(run.journal);
    assert.equal(slept.status, "completed");
    assert.equal(slept.wakeAt?.getTime(), wakeAt, "the journaled wake-up time was kept");
    assert.ok(run.output!.after >= wakeAt, "the step after the sleep ran once it was due");
    // Not slept again from zero: B finished it within one sleep of taking it over. (The whole run
    // took less than 2 × the sleep too, unless B took longer than a sleep to start up.)
    const claimedAt = b.events.find((event) => event.event === "claimed" && event.runId === "nap")!.at as number;
    const finishedAt = run.finishedAt!.getTime();
    assert.ok(finishedAt - claimedAt < SLEEP_MS, `B took ${finishedAt - claimedAt} ms to finish a run whose sleep was over`);
    assert.equal(executionOf(effects, "nap:0")!.count, 1, "the step before the sleep ran once");
  } finally {
    await scene.dispose();
  }
});

test("a sleep held in memory keeps its wake-up time when its worker is SIGKILLed during it", async () => {
  const SLEEP_MS = 3000;
  const scene = await openScene("timers-in-memory");
  const { endure, processes } = scene;
  // inMemoryWaitLimit above the sleep: the worker keeps the run, under its lease, while it sleeps.
  const worker = { workflows: ["timers-after-restart"], lease: "500ms", inMemoryWaitLimit: "10s" };
  try {
    const a = await processes.spawnWorker({ tag: "A", ...worker });
    await endure.start(sleepAfterRestart, [SLEEP_MS], { id: "nap" });
    // B is up before A dies (it cannot take a run A renews), so B's start-up time does not count.
    const bReady = processes.spawnWorker({ tag: "B", ...worker });
    bReady.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    const before = await waitUntil(async () => (await endure.get("nap")).journal.find((entry) => entry.kind === "step" && entry.status === "completed"), "the step before the sleep to be journaled");
    const sleepStartedBy = before.finishedAt!.getTime();
    // Late in the sleep, with the run still in A's memory.
    await waitUntil(() => Date.now() >= sleepStartedBy + SLEEP_MS - 800, "the sleep to be nearly over", SLEEP_MS + 5000, 20);
    assert.equal(await endure.handle("nap").status(), "running");
    await bReady;
    await a.kill("SIGKILL");

    assert.equal(await scene.waitForStatus("nap", FINISHED), "completed");
    const run = await endure.get("nap");
    const slept = sleepEntry(run.journal);
    // The wake-up time planned by A: the sleep started right after the step before it.
    assert.ok(slept.wakeAt, "the sleep has a wake-up time");
    assert.ok(
      slept.wakeAt.getTime() - sleepStartedBy < SLEEP_MS + 500,
      `the sleep was restarted from zero after the crash: it started ${slept.startedAt!.getTime() - sleepStartedBy} ms after the step before it ` +
        `and woke ${slept.wakeAt.getTime() - sleepStartedBy} ms after it (the sleep is ${SLEEP_MS} ms)`,
    );
    const elapsed = run.finishedAt!.getTime() - run.startedAt!.getTime();
    assert.ok(elapsed < 2 * SLEEP_MS, `the run took ${elapsed} ms for a ${SLEEP_MS} ms sleep`);
  } finally {
    await scene.dispose();
  }
});
