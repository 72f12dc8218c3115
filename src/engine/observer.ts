/**
 * What a worker tells observers (logs, traces, metrics) about the runs it executes, from a few
 * call sites: a run coming into memory, each step attempt, the run leaving memory. An observer
 * keeps what it needs per run or per attempt in the object it returns, and returns nothing for
 * what it does not follow, so a step costs nothing more when no one listens. Observers are called
 * on the worker's path of every run and step: they must be quick and must not throw.
 *
 * @example A counter of step attempts that failed
 * ```ts
 * let failures = 0;
 * const observer: RunObserver = {
 *   runStarted: () => ({
 *     stepStarted: () => ({
 *       stepEnded: (end) => {
 *         if (end.outcome !== "completed") failures++;
 *       },
 *     }),
 *     runEnded: () => {},
 *   }),
 * };
 * await endure.startWorker({ workflows, metrics: observer });
 * ```
 */
export interface RunObserver {
  /** A worker took the run into memory (a claim, or a start in its process). */
  runStarted(run: ObservedRun): RunObservation | undefined;
}

/** A run as it comes into a worker's memory. */
export interface ObservedRun {
  readonly runId: string;
  readonly workflow: string;
  /** Executed before (woken, taken over, released by a stopping worker, retried): it replays its journal. */
  readonly resumed: boolean;
  /** Journal entries at the claim: what the workflow replays before it executes anything new. */
  readonly replayed: number;
  /** Times in a row a worker's lease on it lapsed: more than 0 when this worker takes it over from a dead one. */
  readonly lapses: number;
  /** When the run first started (ms since the epoch), for its duration. */
  readonly startedAt: number;
  /** The W3C traceparent stored with the run, or null. */
  readonly traceContext: string | null;
}

/** Follows one run in one worker's memory, from its claim to its exit. */
export interface RunObservation {
  /** Runs the workflow function: a tracer makes the run's span the active context. */
  enter?<T>(fn: () => T): T;
  /** A step attempt starts (not a replayed step). */
  stepStarted(step: ObservedStep): StepObservation | undefined;
  /** The run left the worker's memory. */
  runEnded(end: RunEnd): void;
}

export interface ObservedStep {
  readonly name: string;
  readonly position: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** Follows one step attempt. */
export interface StepObservation {
  /** Runs the step's function: a tracer makes the step's span the active context. */
  enter?<T>(fn: () => T): T;
  stepEnded(end: StepEnd): void;
}

export type StepEnd =
  | { outcome: "completed" }
  /** The attempt failed; the step is attempted again at `retryAt` (ms since the epoch). */
  | { outcome: "retrying"; error: unknown; retryAt: number }
  /** The attempt failed and the step failed with it: no attempts left, or an error never retried. */
  | { outcome: "failed"; error: unknown };

/**
 * How the run left memory: finished (`completed` … `blocked`, with the error that ended it),
 * suspended (`waiting`), given back by a stopping worker (`released`), or dropped (`abandoned`: the
 * lease was lost, the store failed).
 */
export type RunEnd =
  | { status: "completed" | "waiting" }
  | { status: "failed" | "cancelled" | "blocked" | "abandoned" | "released"; error: unknown };

/** One observer for many: each follows what it wants; undefined when there is nothing to follow. */
export function combineObservers(observers: readonly (RunObserver | undefined)[]): RunObserver | undefined {
  const present = observers.filter((observer) => observer !== undefined);
  if (present.length <= 1) return present[0];
  return {
    runStarted: (run) => combineRuns(present.map((observer) => observer.runStarted(run))),
  };
}

function combineRuns(observations: (RunObservation | undefined)[]): RunObservation | undefined {
  const present = observations.filter((observation) => observation !== undefined);
  if (present.length <= 1) return present[0];
  return {
    enter: nestEnters(present),
    stepStarted: (step) => combineSteps(present.map((observation) => observation.stepStarted(step))),
    runEnded: (end) => {
      for (const observation of present) observation.runEnded(end);
    },
  };
}

function combineSteps(observations: (StepObservation | undefined)[]): StepObservation | undefined {
  const present = observations.filter((observation) => observation !== undefined);
  if (present.length <= 1) return present[0];
  return {
    enter: nestEnters(present),
    stepEnded: (end) => {
      for (const observation of present) observation.stepEnded(end);
    },
  };
}

type Enter = <T>(fn: () => T) => T;

/** Every `enter` of the observations, nested; undefined when none has one. */
function nestEnters(observations: readonly { enter?: Enter }[]): Enter | undefined {
  const enters = observations.flatMap((observation) => (observation.enter ? [observation.enter.bind(observation)] : []));
  if (enters.length <= 1) return enters[0];
  return <T>(fn: () => T): T => enters.reduceRight<() => T>((inner, enter) => () => enter(inner), fn)();
}
