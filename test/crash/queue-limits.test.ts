import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { gaugedWork, LIMITED_CONCURRENCY, limitedQueue, openGauges, perKeyQueue, readInside, readMaxima, readVisits } from "./fixtures/queue-limits.js";
import { openScene } from "./fixtures/scene.js";

const WORKERS = 3;
/** Each worker could run every limited run at once: only the queue holds them back. */
const WORKER_CONCURRENCY = 20;
const LIMITED_RUNS = 24;
const KEYS = ["k0", "k1", "k2", "k3"];
const PER_KEY_RUNS = 24;

for (const crash of [false, true]) {
  const name = crash
    ? "queue limits: a worker holding admitted runs is SIGKILLed; its runs are taken over, no run is admitted in their place, every run completes"
    : "queue limits: worker processes on one store never run more than a queue's concurrency, nor more than one run per key";
  test(name, { timeout: 180_000 }, async (t) => {
    const scene = await openScene(crash ? "queue-crash" : "queue-limits");
    const gauges = openGauges(scene.dir);
    try {
      const spawn = (tag: string) => scene.processes.spawnWorker({
        tag, workflows: ["queue-limits"], concurrency: WORKER_CONCURRENCY, lease: "1s", pollInterval: "20ms",
      });
      const workers = await Promise.all(Array.from({ length: WORKERS }, (_, slot) => spawn(`w${slot}`)));
      const ids: string[] = [];
      for (let n = 0; n < LIMITED_RUNS; n++) {
        ids.push((await scene.endure.start(gaugedWork, [["limited"]], { queue: limitedQueue, id: `limited-${n}` })).id);
      }
      for (let n = 0; n < PER_KEY_RUNS; n++) {
        const key = KEYS[n % KEYS.length]!;
        ids.push((await scene.endure.start(gaugedWork, [[`key:${key}`, "per-key"]], { queue: perKeyQueue, concurrencyKey: key, id: `per-key-${n}` })).id);
      }

      if (crash) {
        // Kill the worker holding the most runs that are inside their gauges: their slots must stay taken.
        const victimTag = await waitUntil(() => {
          const byWorker = new Map<string, number>();
          for (const row of readInside(gauges)) byWorker.set(row.worker, (byWorker.get(row.worker) ?? 0) + 1);
          const [best] = [...byWorker].sort((a, b) => b[1] - a[1]);
          return best !== undefined && best[1] >= 2 ? best[0] : undefined;
        }, "a worker to hold at least two runs inside their gauges", 60_000);
        const victim = workers.find((worker) => worker.tag === victimTag)!;
        await victim.kill("SIGKILL");
        const orphaned = readInside(gauges).filter((row) => row.worker === victimTag).length;
        t.diagnostic(`killed ${victimTag} holding ${orphaned} runs inside their gauges`);
        workers.push(await spawn("w-replacement"));
      }

      await scene.waitForAllFinished(ids, 120_000);
      for (const id of ids) assert.equal(await scene.endure.handle(id).status(), "completed", `run ${id}`);
      if (crash) assert.ok(scene.processes.takeOvers() > 0, "the killed worker's runs were taken over by others");
      assert.equal(readVisits(gauges), LIMITED_RUNS + 2 * PER_KEY_RUNS, "every run went through its gauges");
      assert.deepEqual(readInside(gauges), [], "every run left its gauges");

      const maxima = readMaxima(gauges);
      t.diagnostic(`most runs at once: ${JSON.stringify(Object.fromEntries(maxima))}`);
      assert.ok(maxima.get("limited")! <= LIMITED_CONCURRENCY, `at most ${LIMITED_CONCURRENCY} limited runs at once; saw ${maxima.get("limited")}`);
      for (const key of KEYS) assert.equal(maxima.get(`key:${key}`), 1, `one run of key ${key} at a time`);
      // The gauges can see parallelism: the limit, not the test, is what held the runs back.
      assert.ok(maxima.get("limited")! >= 2, `limited runs ran in parallel; saw ${maxima.get("limited")}`);
      assert.ok(maxima.get("per-key")! >= 2, `runs of different keys ran in parallel; saw ${maxima.get("per-key")}`);

      const states = await scene.endure.queues();
      assert.deepEqual(states.map(({ name, queued, active }) => ({ name, queued, active })), [
        { name: "limited", queued: 0, active: 0 }, { name: "per-key", queued: 0, active: 0 },
      ]);
    } finally {
      gauges.close();
      await scene.dispose();
    }
  });
}
