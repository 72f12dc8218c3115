import assert from "node:assert/strict";
import { test } from "node:test";
import type { WorkerRecord } from "../store/worker-registry.js";
import { diagnose, type RunFacts } from "./diagnosis.js";
import type { RunSummary } from "./run-info.js";

const NOW = Date.parse("2026-11-26T12:00:00.000Z");

function facts(run: Partial<RunSummary>, more: Partial<RunFacts> = {}): RunFacts {
  const summary: RunSummary = {
    id: "r-1", workflow: "wf", status: "pending", input: [], createdAt: new Date(NOW - 60_000), updatedAt: new Date(NOW - 60_000),
    startedAt: null, finishedAt: null, wakeAt: null, waitingFor: [], cancelRequested: false, owner: null, tags: [], timeoutMs: null,
    queue: null, concurrencyKey: null, priority: 0, parentId: null, continuedFrom: null, continuedTo: null, forkedFrom: null, retries: 0,
    version: null, ...run,
  };
  return { run: summary, journal: [], workers: [], children: new Map(), dueAt: null, admitAt: null, now: NOW, ...more };
}

function worker(overrides: Partial<WorkerRecord>): WorkerRecord {
  return {
    id: "w-1", name: "box:1", host: "box", pid: 1, workflows: ["wf"], queues: [], concurrency: 2, activeRuns: 0,
    heartbeatMs: 5000, startedAt: NOW - 3600_000, heartbeatAt: NOW - 1000, version: null, compatibleWith: [], ...overrides,
  };
}

test("a queued run behind the rate limit says how many were admitted in the window", () => {
  const diagnosis = diagnose(facts({ status: "queued", queue: "mail" }, {
    queue: { name: "mail", concurrency: null, keyConcurrency: null, rateLimit: { limit: 10, periodMs: 60_000 }, queued: 4, active: 2, keyActive: null, admittedInWindow: 10 },
    workers: [worker({ queues: ["mail"] })],
  }));
  assert.equal(diagnosis?.summary, `Queued in queue "mail" behind its rate limit: 10 runs were admitted in the last 1 minute; more are admitted as that window moves on.`);
});

test("a queued run with room but no live admitter says to start a worker with the queue; a dead one does not count", () => {
  const diagnosis = diagnose(facts({ status: "queued", queue: "mail" }, {
    queue: { name: "mail", concurrency: 5, keyConcurrency: null, rateLimit: null, queued: 1, active: 0, keyActive: null, admittedInWindow: null },
    workers: [worker({ queues: ["mail"], heartbeatAt: NOW - 60_000 })],
  }));
  assert.equal(diagnosis?.reason, "no-worker");
  assert.match(diagnosis!.summary, /no live worker admits this queue: start a worker with it in its queues\.$/);
});

test("a pending run whose workers are all busy says so with their slots", () => {
  const diagnosis = diagnose(facts({ status: "pending" }, { workers: [worker({ activeRuns: 2 }), worker({ id: "w-2", activeRuns: 2 })] }));
  assert.match(diagnosis!.summary, /every live worker of workflow "wf" is busy \(4 of 4 slots in use\)/);
});

test("a run whose holder's lease lapsed says another live worker takes it over", () => {
  const diagnosis = diagnose(facts({ status: "running", owner: "dead", startedAt: new Date(NOW - 30_000) }, {
    dueAt: new Date(NOW - 2000),
    workers: [worker({ id: "dead", name: "old:7", heartbeatAt: NOW - 20_000 }), worker({ id: "w-2" })],
  }));
  assert.equal(diagnosis?.reason, "lease-lapsed");
  assert.equal(diagnosis?.summary,
    "Held by worker old:7, whose lease lapsed at 2026-11-26T11:59:58.000Z (2 seconds ago); its last heartbeat was at 2026-11-26T11:59:40.000Z (20 seconds ago). " +
    `It has likely died. A live worker of workflow "wf" takes the run over at its next poll.`);
});

test("a delayed run says when it starts", () => {
  const diagnosis = diagnose(facts({ status: "pending" }, { dueAt: new Date(NOW + 3600_000) }));
  assert.deepEqual(diagnosis, { reason: "delayed", summary: "Starts at 2026-11-26T13:00:00.000Z (in 1 hour) (a start delay).", since: new Date(NOW - 60_000), until: new Date(NOW + 3600_000) });
});

// ---- version pinning ----

test("a pending run pinned to a version no live worker serves names the versions they serve and how to start one that does", () => {
  const diagnosis = diagnose(facts({ status: "pending", version: "v1" }, {
    workers: [
      worker({ id: "w-2", version: "v2", compatibleWith: ["v1.5"] }),
      worker({ id: "w-3" }),
      worker({ id: "w-dead", version: "v1", heartbeatAt: NOW - 60_000 }),
    ],
  }));
  assert.equal(diagnosis?.reason, "no-worker");
  assert.match(diagnosis!.summary, /, but it is pinned to version "v1"; no live worker serves it: the live workers of workflow "wf" serve "v2", "v1\.5"; no version \(only runs not pinned\)\. Start a worker of version "v1" or one compatible with it \(endure worker <file> --code-version <version> --compatible-with v1\)\.$/);
  const served = diagnose(facts({ status: "pending", version: "v1" }, { workers: [worker({ version: "v1.1", compatibleWith: ["v1"] })] }));
  assert.equal(served?.reason, "pending", "a worker compatible with v1 claims it");
});
