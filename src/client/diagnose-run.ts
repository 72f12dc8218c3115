import { childRunId } from "../engine/child-runs.js";
import type { RunRecord, Store } from "../store/store.js";
import { type Diagnosis, diagnose } from "./diagnosis.js";
import { date, type JournalEntryInfo, type RunSummary } from "./run-info.js";

const NEEDS_WORKERS = new Set(["queued", "pending", "running"]);

/** Reads what {@link diagnose} needs about a run from the store, and diagnoses it. */
export async function diagnoseRun(store: Store, run: RunRecord, summary: RunSummary, journal: readonly JournalEntryInfo[], now: number): Promise<Diagnosis | null> {
  if (run.status === "completed") return null;
  const firstChild = run.status === "waiting" ? journal.find((entry) => entry.kind === "child" && entry.status === "waiting") : undefined;
  const [workers, queue, child] = await Promise.all([
    NEEDS_WORKERS.has(run.status) ? store.listWorkers() : [],
    run.status === "queued" && run.queue !== null ? store.queueUsage(run.queue, run.concurrencyKey) : undefined,
    firstChild ? store.getRun(childRunId(run.id, firstChild.position)) : undefined,
  ]);
  const children = new Map(child?.parentId === run.id && firstChild ? [[firstChild.position, child]] : []);
  return diagnose({ run: summary, journal, workers, queue, children, dueAt: date(run.dueAt), admitAt: date(run.admitAt), now });
}
