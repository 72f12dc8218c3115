import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type EndureError, type RunInfo, RunFailedError } from "../../src/index.js";
import { waitUntil } from "../helpers/wait-until.js";
import { crashLoop } from "./fixtures/crash-loop.js";
import type { Child, Exit } from "./fixtures/processes.js";
import { FINISHED, openScene } from "./fixtures/scene.js";
import { executionOf, type ExecutionRow } from "./fixtures/side-effects.js";

const MAX_CRASHES = 3;

interface Outcome {
  run: RunInfo;
  result: unknown;
  deaths: { name: string; exit: Exit; stderr: string }[];
  survivorAlive: boolean;
  prepare: ExecutionRow | undefined;
  crash: ExecutionRow | undefined;
}

// One scenario, two tests: a worker is restarted whenever the run kills it, until the run is over.
let outcome: Outcome;
before(async () => {
  const scene = await openScene("crash-loop");
  const { endure, processes, effects } = scene;
  try {
    const workers: Child[] = [];
    const spawn = () => {
      const worker = processes.startWorker({ tag: `w${workers.length}`, workflows: ["crash-loop"], lease: "500ms", maxCrashes: MAX_CRASHES });
      workers.push(worker);
      return worker;
    };
    let worker = spawn();
    await worker.waitForEvent((event) => event.event === "ready", "the first worker to be ready");
    await endure.start(crashLoop, [], { id: "loop" });

    await waitUntil(async () => {
      const status = await endure.handle("loop").status();
      if (FINISHED.includes(status)) return true;
      if (!worker.alive) worker = spawn();
      return false;
    }, "the crash-looping run to be over", 60_000, 20);

    outcome = {
      run: await endure.get("loop"),
      result: await endure.handle("loop").result().catch((error: unknown) => error),
      deaths: workers.filter((candidate) => !candidate.alive).map((dead) => ({ name: dead.describe(), exit: dead.exit!, stderr: dead.stderr })),
      survivorAlive: worker.alive,
      prepare: executionOf(effects, "loop:0"),
      crash: executionOf(effects, "loop:1"),
    };
  } finally {
    await scene.dispose();
  }
});

test("a run whose step kills its worker every time is failed with WORKER_CRASH_LOOP after maxCrashes", () => {
  const { run, result, deaths } = outcome;
  for (const dead of deaths) assert.deepEqual(dead.exit, { code: null, signal: "SIGKILL" }, `${dead.name}: ${dead.stderr}`);
  assert.equal(deaths.length, MAX_CRASHES, "the run crashed its worker maxCrashes times, then was failed");
  assert.ok(outcome.survivorAlive, "the worker that failed the run lives on");

  assert.equal(run.status, "failed");
  assert.equal((run.error as EndureError).code, "WORKER_CRASH_LOOP");
  assert.match(run.error!.message, new RegExp(`died ${MAX_CRASHES} times in a row`));
  assert.ok(result instanceof RunFailedError, `result() rejects with RunFailedError: ${String(result)}`);
  assert.equal((result.cause as EndureError).code, "WORKER_CRASH_LOOP");

  // The step before the crash was journaled once and never ran again; the crashing one ran once per death.
  assert.deepEqual(run.journal.map((entry) => `${entry.name}:${entry.status}`), ["prepare:completed"]);
  assert.equal(outcome.prepare?.count, 1);
  assert.equal(outcome.crash?.count, MAX_CRASHES);
});

// StepContext.attempt counts "the attempts whose failure was journaled, plus this one": an attempt
// cut short by a crash of its worker leaves no record, so every execution here is attempt 1.
// (test/crash/step-attempts.test.ts covers a journaled failure followed by a crash.)
test("stepContext().attempt does not count attempts that crashed the worker", () => {
  const attempts = (JSON.parse(outcome.crash!.attempts) as number[]).map(Number);
  assert.deepEqual(attempts, Array.from({ length: MAX_CRASHES }, () => 1), "attempt numbers seen by the crashing step, per execution");
});
