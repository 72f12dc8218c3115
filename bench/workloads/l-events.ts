import { type LoggedEvent, step, subscribe, trigger, workflow } from "../endure.js";
import { openBenchStore, WORKER_CONCURRENCY } from "../harness.js";
import { nowMs, percentile } from "../stats.js";
import { waitUntil } from "../../test/helpers/wait-until.js";

export interface EventsMetrics extends Record<string, number> {
  /** Events recorded per second, a burst emitted at once. */
  emitsPerSec: number;
  /** Events turned into completed trigger runs per second, from the first emit to the last run's end. */
  triggeredRunsPerSec: number;
  /** From an event's receipt to its trigger run's start, events emitted one at a time. */
  dispatchP50Ms: number;
  dispatchP99Ms: number;
  /** From an event's receipt to the subscribed, suspended run's step that takes it. */
  subscriptionP50Ms: number;
}

const BURST = 2000;
const ONE_BY_ONE = 200;
const LISTENED = 200;
const TIMEOUT_MS = 120_000;

const seen = step("bench-l-seen", async () => Date.now());
const onOrder = workflow("bench-l-on-order", async (event: LoggedEvent) => event.seq);
const onPing = workflow("bench-l-on-ping", async (event: LoggedEvent) => event.seq);
const listener = workflow("bench-l-listener", async (count: number) => {
  const pings = await subscribe("bench.listened");
  const lateness: number[] = [];
  for (let i = 0; i < count; i++) {
    const event = (await pings.next())!;
    lateness.push((await seen()) - event.receivedAt.getTime());
  }
  return lateness;
});

/**
 * L: the event log. A burst of `endure.emit()` calls (how fast events are recorded), the same burst
 * turned into trigger runs end to end, the delay from an event's receipt to its trigger run's start,
 * and to a suspended subscribed run taking it.
 */
export async function events(): Promise<EventsMetrics> {
  const bench = await openBenchStore();
  try {
    const { endure } = bench;
    const triggers = [trigger("bench-l-orders", { event: "bench.order", workflow: onOrder }), trigger("bench-l-pings", { event: "bench.ping", workflow: onPing })];
    await endure.startWorker({ workflows: [onOrder, onPing, listener], triggers, concurrency: WORKER_CONCURRENCY });

    const began = nowMs();
    const emitted = await Promise.all(Array.from({ length: BURST }, (_, i) => endure.emit("bench.order", { i })));
    const recorded = nowMs();
    if (emitted.some((event) => event.duplicate)) throw new Error("L: an emit without a key was taken for a duplicate.");
    const completed = async () => (await endure.statusCounts()).completed >= BURST;
    await waitUntil(completed, `the ${BURST} trigger runs to complete`, TIMEOUT_MS, 5);
    const triggered = nowMs();

    const dispatch: number[] = [];
    for (let i = 0; i < ONE_BY_ONE; i++) {
      const event = await endure.emit("bench.ping", { i });
      const id = `trigger:bench-l-pings:${event.seq}`;
      const started = await waitUntil(() => endure.get(id).then((run) => run.startedAt ?? undefined, () => undefined), `run ${id} to start`, TIMEOUT_MS, 1);
      dispatch.push(started.getTime() - event.receivedAt.getTime());
      await endure.handle(id).result();
    }

    const run = await endure.start(listener, [ONE_BY_ONE]);
    await waitUntil(async () => (await run.status()) === "waiting", "the listener to subscribe", TIMEOUT_MS, 5);
    for (let i = 0; i < LISTENED; i++) {
      const waiting = () => run.status().then((status) => status === "waiting");
      await waitUntil(waiting, "the listener to wait again", TIMEOUT_MS, 1);
      await endure.emit("bench.listened", { i });
    }
    const lateness = (await run.result()) as number[];
    return {
      emitsPerSec: BURST / ((recorded - began) / 1000),
      triggeredRunsPerSec: BURST / ((triggered - began) / 1000),
      dispatchP50Ms: percentile(dispatch, 50),
      dispatchP99Ms: percentile(dispatch, 99),
      subscriptionP50Ms: percentile(lateness, 50),
    };
  } finally {
    await bench.close();
  }
}
