// The client's operator actions on finished runs; `Endure.retry`, `retryAll` and `fork` call them
// and then tell the local workers that runs became due.

import { InvalidArgumentError, RunNotFoundError, RunNotRetryableError } from "../api/errors.js";
import type { RunStatus, Store } from "../store/store.js";
import { runPages } from "../store/run-pages.js";
import { newRunId } from "../api/run-id.js";
import { validateTags } from "../api/run-options.js";
import { validateRunId, validateVersion } from "../api/validate.js";

/** Which runs `retryAll()` retries: those matching every filter given. */
export interface RetryAllFilter {
  workflow?: string;
  /** Default: both. */
  status?: "failed" | "blocked";
  /** Runs that have every one of these tags. */
  tags?: readonly string[];
}

export interface ForkOptions {
  /** The first journal position to execute again: entries before it are reused. 0 to the journal's length. */
  fromPosition: number;
  /** The new run's id; default a generated one. */
  id?: string;
}

// ---- version pinning ----
export interface RetryOptions {
  /**
   * Re-pins the run to this version of the workers' code, so that workers of that version (or
   * compatible with it) take it up: e.g. a run blocked by a bad deploy, handed to the fixed one.
   */
  version?: string;
}

const RETRY_PAGE = 100;

/** @returns the run's status after the retry. */
export async function retryRun(store: Store, id: string, options: RetryOptions = {}): Promise<RunStatus> {
  validateRunId(id, "retry()");
  const retried = await store.retryRun(id, retryVersion(options, "retry()"));
  if (retried.result === "missing") throw new RunNotFoundError(id);
  if (retried.result === "not-retryable") throw new RunNotRetryableError(id, retried.status);
  return retried.run.status;
}

/** The version a retry re-pins to, if any. */
function retryVersion(options: RetryOptions, where: string): string | undefined {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`${where}: options must be an object, e.g. { version: "2026-11-26.1" }; got ${options === null ? "null" : typeof options}.`);
  }
  return options.version === undefined ? undefined : validateVersion(options.version, `${where}: version`);
}

/** @returns the ids of the runs retried. */
export async function retryRuns(store: Store, filter: RetryAllFilter, options: RetryOptions = {}): Promise<string[]> {
  if (typeof filter !== "object" || filter === null) {
    throw new InvalidArgumentError(`retryAll(): give a filter object, e.g. { workflow: "transfer" } or {} for every failed or blocked run; got ${filter === null ? "null" : typeof filter}.`);
  }
  const { workflow, status } = filter;
  if (workflow !== undefined && (typeof workflow !== "string" || workflow.length === 0)) {
    throw new InvalidArgumentError(`retryAll(): workflow must be a workflow's name; got ${JSON.stringify(workflow) ?? typeof workflow}.`);
  }
  if (status !== undefined && status !== "failed" && status !== "blocked") {
    throw new InvalidArgumentError(`retryAll(): status must be "failed" or "blocked" (omit it for both); got ${JSON.stringify(status) ?? typeof status}.`);
  }
  const tags = filter.tags === undefined ? undefined : validateTags(filter.tags, "retryAll()");
  const version = retryVersion(options, "retryAll()");
  const retried: string[] = [];
  for (const wanted of status === undefined ? (["failed", "blocked"] as const) : [status]) {
    for await (const runs of runPages(store, { status: wanted, workflow, tags }, RETRY_PAGE)) {
      for (const run of runs) {
        // A run retried meanwhile (by someone else, or with its parent) is skipped: not an error.
        if ((await store.retryRun(run.id, version)).result === "retried") retried.push(run.id);
      }
    }
  }
  return retried;
}

/** @returns the new run's id. */
export async function forkRun(store: Store, sourceId: string, options: ForkOptions): Promise<string> {
  validateRunId(sourceId, "fork()");
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`fork(): give the position to run again from, e.g. fork(id, { fromPosition: 2 }); got ${options === null ? "null" : typeof options}.`);
  }
  const { fromPosition } = options;
  if (typeof fromPosition !== "number" || !Number.isInteger(fromPosition) || fromPosition < 0) {
    throw new InvalidArgumentError(`fork(): fromPosition must be a whole number from 0 to the length of the run's journal; got ${JSON.stringify(fromPosition) ?? typeof fromPosition}.`);
  }
  const id = options.id === undefined ? newRunId() : validateRunId(options.id, "fork()");
  const forked = await store.forkRun(sourceId, id, fromPosition);
  switch (forked.result) {
    case "missing":
      throw new RunNotFoundError(sourceId);
    case "id-taken":
      throw new InvalidArgumentError(`fork(): a run with id "${id}" already exists. Give another id, or none to have one generated.`);
    case "position-out-of-range":
      throw new InvalidArgumentError(
        `fork(): fromPosition ${fromPosition} is past the end of run "${sourceId}"'s journal, which has ${forked.journalLength} positions; ` +
          `give 0 to ${forked.journalLength}.`,
      );
    case "forked":
      return id;
  }
}
