import type { RunExit } from "../engine/host.js";
import { combineObservers, type ObservedRun, type RunEnd, type RunObserver } from "../engine/observer.js";
import { runLogging } from "../observability/run-logging.js";
import { runTracing } from "../observability/run-tracing.js";
import type { Serializer } from "../serialization/serializer.js";
import type { ClaimedRun } from "../store/store.js";
import { consoleLogger, type Logger } from "./logger.js";

/**
 * What follows a worker's runs: OpenTelemetry spans (no-ops until an SDK is registered), info logs
 * unless the logger is the library's default (which prints no info), and the user's metrics.
 */
export function workerObserver(logger: Logger, metrics: RunObserver | undefined): RunObserver | undefined {
  return combineObservers([runTracing, logger === consoleLogger ? undefined : runLogging(logger), metrics]);
}

/** The run as its observers see it when it comes into memory. */
export function observedRun({ run, journal }: ClaimedRun): ObservedRun {
  return {
    runId: run.id,
    workflow: run.workflow,
    // Epoch 1 is the run's first claim (or its start, created claimed).
    resumed: run.epoch > 1,
    replayed: journal.length,
    lapses: run.lapses,
    startedAt: run.startedAt ?? Date.now(),
    traceContext: run.traceContext,
  };
}

/** How the run left memory, for its observers; `stopping`: the worker is giving its runs back. */
export function runEnd(exit: RunExit, stopping: boolean, serializer: Serializer): RunEnd {
  if (exit.kind === "suspended") return { status: "waiting" };
  if (exit.kind === "abandoned") return { status: stopping ? "released" : "abandoned", error: exit.reason };
  const { outcome } = exit;
  return outcome.status === "completed" ? { status: "completed" } : { status: outcome.status, error: serializer.deserializeError(outcome.error) };
}
