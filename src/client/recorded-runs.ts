import { InvalidArgumentError } from "../api/errors.js";
import { runPages } from "../store/run-pages.js";
import { ENDED_STATUSES, RUN_STATUSES, type RunStatus, type Store } from "../store/store.js";
import { RUN_EXPORT_FORMAT, type RunExport } from "./run-export.js";

/** The statuses of runs that a worker will replay again: what a deploy must not break. */
export const UNFINISHED_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter((status) => !ENDED_STATUSES.has(status));

/** Which recorded runs to read. */
export interface RecordedRunFilter {
  /** Runs of these workflows. */
  workflows: readonly string[];
  /** Default: the unfinished ones ({@link UNFINISHED_STATUSES}). */
  statuses?: readonly RunStatus[];
  /** At most this many runs per workflow and status, newest first (default: all). */
  limit?: number;
}

const PAGE = 200;

/** The run as stored, with its journal. */
export async function exportRun(store: Store, run: RunExport["run"]): Promise<RunExport> {
  return { format: RUN_EXPORT_FORMAT, exportedAt: new Date().toISOString(), run, journal: await store.getJournal(run.id) };
}

/** Recorded runs with their journals, read a page at a time. */
export async function* recordedRuns(store: Store, filter: RecordedRunFilter): AsyncIterable<RunExport> {
  const limit = filter.limit ?? Infinity;
  if (limit !== Infinity && (!Number.isInteger(limit) || limit < 1)) {
    throw new InvalidArgumentError(`recordedRuns(): limit must be a whole number of at least 1; got ${limit}.`);
  }
  for (const workflow of filter.workflows) {
    for (const status of filter.statuses ?? UNFINISHED_STATUSES) {
      for await (const runs of runPages(store, { workflow, status }, PAGE, limit)) {
        // A page's journals are read at once: on PostgreSQL each is a round trip of its own.
        yield* await Promise.all(runs.map((run) => exportRun(store, run)));
      }
    }
  }
}
