// Virtual time across runs: child runs, continue-as-new and queues skip time as single runs do.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { child, continueAsNew, now, queue, sleep, workflow } from "../../src/index.js";
import { createTestEnv, TestStalledError } from "../../src/testing/index.js";

const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

const napper = workflow("orchestration-napper", async (days: number) => {
  await sleep(days * DAY);
  return now();
});
const parent = workflow("orchestration-parent", async () => {
  const [a, b] = await Promise.all([child(napper, [2]), child(napper, [5])]);
  return { a, b, at: now() };
});

const countdown = workflow("orchestration-countdown", async (left: number): Promise<number> => {
  await sleep("1 day");
  if (left > 1) return await continueAsNew(left - 1);
  return now();
});

const oneAtATime = queue("orchestration-one-at-a-time", { concurrency: 1 });

describe("virtual time across runs", () => {
  it("a parent waits for its children's sleeps, each child waking at its own time", async (t) => {
    const env = await createTestEnv({ workflows: [parent, napper], startTime: START });
    t.after(() => env.close());
    assert.deepEqual(await env.execute(parent, []), { a: START + 2 * DAY, b: START + 5 * DAY, at: START + 5 * DAY });
  });

  it("a child whose workflow the env does not run stalls its parent, with advice", async (t) => {
    const env = await createTestEnv({ workflows: [parent], stallGrace: "20ms" });
    t.after(() => env.close());
    const error = await env.execute(parent, []).catch((thrown: unknown) => thrown);
    assert.ok(error instanceof TestStalledError, `got ${String(error)}`);
    assert.equal(error.diagnosis?.reason, "waiting-for-child");
    assert.match(error.message, /add the child's workflow to createTestEnv\(\{ workflows \}\) if it is missing/);
  });

  it("result() follows a run that continued as new to the end of its chain", async (t) => {
    const env = await createTestEnv({ workflows: [countdown], startTime: START });
    t.after(() => env.close());
    assert.equal(await env.execute(countdown, [3]), START + 3 * DAY);
    assert.equal((await env.endure.list({ workflow: "orchestration-countdown" })).runs.length, 3);
  });

  it("a queue with one slot runs its runs one after the other on virtual time; a delayed one waits for its time", async (t) => {
    const env = await createTestEnv({ workflows: [napper], queues: [oneAtATime], startTime: START });
    t.after(() => env.close());
    const first = await env.start(napper, [3], { queue: "orchestration-one-at-a-time" });
    const second = await env.start(napper, [1], { queue: "orchestration-one-at-a-time" });
    const delayed = await env.start(napper, [1], { queue: "orchestration-one-at-a-time", delay: "10 days" });
    assert.equal(await second.result(), START + 4 * DAY, "the second started when the first ended, on day 3");
    assert.equal(await first.result(), START + 3 * DAY);
    assert.equal(await delayed.result(), START + 11 * DAY);
  });

  it("the diagnosis of a run reads on virtual time", async (t) => {
    const env = await createTestEnv({ workflows: [napper], startTime: START });
    t.after(() => env.close());
    const run = await env.start(napper, [30]);
    await env.advance("10 days");
    const { diagnosis } = await env.endure.get(run.id);
    assert.equal(diagnosis?.summary, "Sleeping until 2026-01-31T00:00:00.000Z (in 20 days).");
  });
});
