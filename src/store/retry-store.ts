import type { JournalEntry, RunRecord, RunStatus } from "./store.js";

/**
 * Operator retry and fork: the store's part. Each operation is one transaction.
 *
 * The rewind point of a failed run is its first journal position with a `failed` entry (a step's
 * final failure, or a child run's). Entries from there on go to the run's journal history; those
 * before it stay. Every outcome handed to the workflow before it made the call at that position
 * belongs to an earlier position, so the entries kept replay exactly as they first ran; what the
 * workflow did after that call is done again.
 */
export interface RetryStore {
  /**
   * Sends a `failed` or `blocked` run back to `pending`, due now, with `retries` counted.
   *
   * - blocked: the journal is left whole; the new code replays it.
   * - failed: the entries from the rewind point on move to the history under the retry's number,
   *   and events consumed there become takeable again. The parent's notices of child runs there
   *   are taken again only from children that ended `completed` or `cancelled` (the newest notice
   *   of each); a `failed` child is retried along with its parent, in the same transaction, and
   *   its next end sends a new notice. With no `failed` entry (the workflow threw by itself, or
   *   its worker crash-looped) the journal is left whole.
   *
   * With `version`, the run is re-pinned to that version of the workers' code (and so is each
   * failed child retried with it), so that workers of another version take it up.
   */
  retryRun(id: string, version?: string): Promise<RetryRunResult>;
  /**
   * Creates run `newId`: the source's workflow, input, tags, timeout and version, `forkedFrom` the source,
   * pending and due now, with a copy of the source's journal entries before `fromPosition`
   * (0 to the source journal's length: one past its last position). Nothing is written when the source is missing, the id is
   * taken or the position out of range.
   */
  forkRun(sourceId: string, newId: string, fromPosition: number): Promise<ForkRunResult>;
  /** The entries the run's retries replaced, by retry number, then position. */
  getJournalHistory(id: string): Promise<HistoryEntry[]>;
}

export type RetryRunResult =
  | { result: "retried"; run: RunRecord }
  | { result: "missing" }
  | { result: "not-retryable"; status: RunStatus };

export type ForkRunResult =
  | { result: "forked"; run: RunRecord }
  | { result: "missing" }
  | { result: "id-taken" }
  | { result: "position-out-of-range"; journalLength: number };

/** A journal entry replaced by operator retry number `retry` (1, 2, ...). */
export interface HistoryEntry extends JournalEntry {
  retry: number;
}

/** The statuses an operator retry takes a run from. */
export const RETRYABLE_STATUSES: ReadonlySet<RunStatus> = new Set(["failed", "blocked"]);

/** The event name a child run's end is announced to its parent with (see the migrations' trigger). */
export function childNoticeName(position: number): string {
  return `endure:child:${position}`;
}
