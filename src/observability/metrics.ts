import { performance } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Endure } from "../client/endure.js";
import type { RunObservation, RunObserver, StepObservation } from "../engine/observer.js";
import { consoleLogger, type Logger } from "../worker/logger.js";

export interface MetricsOptions {
  /**
   * A client of the store: each scrape then also reads from the store how many runs are in each
   * status and in each queue (`endure_runs`, `endure_queue_depth`, `endure_queue_active`).
   */
  endure?: Pick<Endure, "queues" | "statusCounts">;
  /** Where a scrape that could not read the store is reported (default: the library's console logger). */
  logger?: Logger;
}

/**
 * Prometheus metrics of Endure, on a registry of their own. Pass the object to `startWorker({ metrics })`
 * (it is the worker's {@link RunObserver}) and serve `metrics()` with `contentType`.
 */
export interface Metrics extends RunObserver {
  /** The prom-client registry the metrics are on (never the global default one): add your own to it. */
  readonly registry: Registry;
  /** The Content-Type of `metrics()`'s text. */
  readonly contentType: string;
  /** The metrics in Prometheus's text format. */
  metrics(): Promise<string>;
}

/**
 * Creates Endure's Prometheus metrics. Counted by the workers given them, in this process:
 * - `endure_runs_started_total{workflow}`: runs executed for the first time;
 * - `endure_runs_finished_total{workflow,status}`: runs that ended completed, failed, cancelled or blocked;
 * - `endure_step_duration_seconds{workflow,step,outcome}`: step attempts executed (replays are not),
 *   by outcome: completed, retrying (failed, to be attempted again) or failed;
 * - `endure_step_retries_total{workflow,step}`: step attempts that failed and are retried;
 * - `endure_lease_takeovers_total`: runs taken over from a worker whose lease lapsed;
 * - `endure_runs_in_memory`: runs the workers hold in memory now.
 *
 * Read from the store at each scrape, with `endure`:
 * - `endure_runs{status}`: runs in the store in each status (queued, pending, running, waiting, completed, …);
 * - `endure_queue_depth{queue}`: runs waiting in a queue for admission;
 * - `endure_queue_active{queue}`: runs of a queue admitted and not finished.
 *
 * @example
 * ```ts
 * const metrics = createMetrics({ endure });
 * await endure.startWorker({ workflows: [transfer], metrics });
 * http.createServer(async (_req, res) => {
 *   res.setHeader("Content-Type", metrics.contentType);
 *   res.end(await metrics.metrics());
 * }).listen(9464);
 * ```
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const runsStarted = new Counter({ name: "endure_runs_started_total", help: "Runs executed for the first time", labelNames: ["workflow"], registers });
  const runsFinished = new Counter({
    name: "endure_runs_finished_total", help: "Runs that ended: completed, failed, cancelled or blocked", labelNames: ["workflow", "status"], registers,
  });
  const stepDuration = new Histogram({
    name: "endure_step_duration_seconds", help: "Step attempts executed (not replayed), by outcome: completed, retrying or failed",
    labelNames: ["workflow", "step", "outcome"], buckets: STEP_BUCKETS, registers,
  });
  const stepRetries = new Counter({ name: "endure_step_retries_total", help: "Step attempts that failed and are retried", labelNames: ["workflow", "step"], registers });
  const takeovers = new Counter({ name: "endure_lease_takeovers_total", help: "Runs taken over from a worker whose lease lapsed", registers });
  const inMemory = new Gauge({ name: "endure_runs_in_memory", help: "Runs held in memory by the workers of this process", registers });
  if (options.endure) storeGauges(options.endure, options.logger ?? consoleLogger, registry);

  return {
    registry,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    runStarted(run): RunObservation {
      if (!run.resumed) runsStarted.inc({ workflow: run.workflow });
      if (run.lapses > 0) takeovers.inc();
      inMemory.inc();
      return {
        stepStarted(step): StepObservation {
          const began = performance.now();
          return {
            stepEnded(end) {
              stepDuration.observe({ workflow: run.workflow, step: step.name, outcome: end.outcome }, (performance.now() - began) / 1000);
              if (end.outcome === "retrying") stepRetries.inc({ workflow: run.workflow, step: step.name });
            },
          };
        },
        runEnded(end) {
          inMemory.dec();
          if (FINISHED.has(end.status)) runsFinished.inc({ workflow: run.workflow, status: end.status });
        },
      };
    },
  };
}

const FINISHED = new Set(["completed", "failed", "cancelled", "blocked"]);

/** From 1 ms to 5 minutes: steps range from a local computation to a slow remote call. */
const STEP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Gauges read from the store when scraped. A store that cannot be read leaves them empty, and says so. */
function storeGauges(endure: NonNullable<MetricsOptions["endure"]>, logger: Logger, registry: Registry): void {
  // A scrape collects the gauges at once: they share one read of the store.
  let reading: Promise<void> | undefined;
  const collect = async () => {
    reading ??= read().finally(() => (reading = undefined));
    await reading;
  };
  const registers = [registry];
  const runs = new Gauge({ name: "endure_runs", help: "Runs in the store, by status", labelNames: ["status"], registers, collect });
  const depth = new Gauge({ name: "endure_queue_depth", help: "Runs waiting in a queue for admission", labelNames: ["queue"], registers, collect });
  const active = new Gauge({ name: "endure_queue_active", help: "Runs of a queue admitted and not finished", labelNames: ["queue"], registers, collect });
  async function read(): Promise<void> {
    for (const gauge of [runs, depth, active]) gauge.reset();
    try {
      const [counts, queues] = await Promise.all([endure.statusCounts(), endure.queues()]);
      for (const [status, count] of Object.entries(counts)) runs.set({ status }, count);
      for (const queue of queues) {
        depth.set({ queue: queue.name }, queue.queued);
        active.set({ queue: queue.name }, queue.active);
      }
    } catch (error) {
      logger.warn("metrics: could not read the store; endure_runs, endure_queue_depth and endure_queue_active are left out of this scrape", { error });
    }
  }
}
