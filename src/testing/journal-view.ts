import { AssertionError, deepStrictEqual } from "node:assert";
import type { JournalEntryInfo } from "../client/run-info.js";
import type { EntryKind, EntryStatus } from "../store/store.js";

/** One journal entry in a form made to read and to compare in tests. */
export interface JournalRecord {
  kind: EntryKind;
  name: string;
  status: EntryStatus;
  /** Steps only: how many attempts ran. */
  attempts?: number;
  /** The recorded value (a step's result, an event's payload, a `now()`), decoded; absent when undefined. */
  output?: unknown;
  /** The recorded error as `"Name: message"`. */
  error?: string;
}

export function toJournalRecord(entry: JournalEntryInfo): JournalRecord {
  const record: JournalRecord = { kind: entry.kind, name: entry.name, status: entry.status };
  if (entry.kind === "step") record.attempts = entry.attempts;
  if (entry.output !== undefined) record.output = entry.output;
  if (entry.error !== undefined) record.error = `${entry.error.name}: ${entry.error.message}`;
  return record;
}

/**
 * Compares a journal with the expected entries, in order. Each expected entry is compared on the
 * fields it names only (leave out `output` to ignore it); the journal must have exactly as many
 * entries.
 * @throws AssertionError with a diff of the two, as node:assert's deepStrictEqual makes it.
 */
export function assertJournal(runId: string, actual: readonly JournalRecord[], expected: readonly Partial<JournalRecord>[]): void {
  const shown = actual.map((record, index) => {
    const wanted = expected[index];
    if (wanted === undefined) return record;
    return Object.fromEntries(Object.keys(wanted).map((key) => [key, record[key as keyof JournalRecord]]));
  });
  try {
    deepStrictEqual(shown, expected);
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    throw new AssertionError({
      message: `The journal of run "${runId}" is not the expected one (compared on the fields each expected entry names):\n${error.message}`,
      actual: shown,
      expected,
      // No operator: with one, some Node versions append a second copy of the diff.
      stackStartFn: assertJournal,
    });
  }
}
