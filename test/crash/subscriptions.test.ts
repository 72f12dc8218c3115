import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import type { Child } from "./fixtures/processes.js";
import { openScene } from "./fixtures/scene.js";
import { listenToDevice } from "./fixtures/subscription-listener.js";
import { readViolations } from "./fixtures/side-effects.js";

// The test kills the worker while runs run, round after round: that is no crash loop.
const WORKER = { workflows: ["subscription-listener"], pollInterval: "20ms", lease: "500ms", maxCrashes: 100 };
const DEVICES = ["d0", "d1", "d2"];
const ROUNDS = 5;
const PER_ROUND = 3;

test("subscribed runs miss no event sent while they wait suspended, while their worker is dead, or while a new one takes over", async () => {
  const scene = await openScene("subscriptions");
  const { endure, processes, effects } = scene;
  try {
    const count = ROUNDS * PER_ROUND;
    const runs = await Promise.all(DEVICES.map((device) => endure.start(listenToDevice, [device, count], { id: `listen-${device}` })));
    let worker: Child = await processes.spawnWorker({ tag: "W0", ...WORKER });
    await waitUntil(async () => {
      const all = await Promise.all(runs.map((run) => endure.get(run.id)));
      return all.every((run) => run.status === "waiting" && run.journal.some((entry) => entry.kind === "subscribe"));
    }, "every run to subscribe and wait suspended", 30_000);

    let n = 0;
    const emitReadings = async () => {
      for (let i = 0; i < PER_ROUND; i++, n++) {
        // Noise of another device between the readings: the filters pass over it.
        await endure.emit("sensor.reading", { device: "other", n });
        for (const device of DEVICES) await endure.emit("sensor.reading", { device, n });
      }
    };
    for (let round = 1; round <= ROUNDS; round++) {
      if (round % 2 === 1) {
        // While the worker is alive: some runs wake and take readings, and the worker dies mid-way.
        await emitReadings();
        await worker.kill("SIGKILL");
      } else {
        // While no worker is alive at all.
        await worker.kill("SIGKILL");
        await emitReadings();
      }
      worker = await processes.spawnWorker({ tag: `W${round}`, ...WORKER });
    }

    const expected = Array.from({ length: count }, (_, i) => i);
    for (const run of runs) assert.deepEqual(await run.result(), expected, `${run.id} took every reading of its device, in order`);
    assert.deepEqual(readViolations(effects), []);
  } finally {
    await scene.dispose();
  }
});
