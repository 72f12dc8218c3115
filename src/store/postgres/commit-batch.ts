import type { NewSubscription } from "../event-log-store.js";
import { ENDED_STATUSES, type JournalEntry, type NewRun, type RunCommit, type RunOutcome } from "../store.js";

/** One run's part of a group commit, merged from all of its commits in the batch. */
export interface RunPart {
  runId: string;
  epoch: number;
  cancelDelivered: boolean;
  outcome: RunOutcome | undefined;
}

/**
 * A group commit shaped for the single statement that writes it (`statements().commit`): one row
 * per run for the fence and the run's new state, the journal entries (the last write to a
 * position winning) and the consumed events. The result is what applying the commits one by one
 * would give: a commit is applied when its run passes the fence at its epoch and no earlier commit
 * of the batch ended the run.
 */
export class CommitBatch {
  /** Sorted by run id: rows are locked in that order, as by every multi-run statement. */
  readonly runs: RunPart[];
  readonly entries: (JournalEntry & { runId: string })[];
  readonly consumed: { runId: string; eventSeq: number; position: number }[];
  /** Subscriptions the runs opened (see {@link subscriptionsKept}). */
  readonly subscriptions: (NewSubscription & { runId: string })[];
  private readonly candidates: boolean[];

  constructor(private readonly commits: readonly RunCommit[]) {
    // Only a run's newest epoch in the batch can still hold: the store's epoch is at least that.
    const newest = new Map<string, number>();
    for (const { runId, epoch } of commits) newest.set(runId, Math.max(epoch, newest.get(runId) ?? -Infinity));
    const parts = new Map<string, RunPart>();
    const entries = new Map<string, JournalEntry & { runId: string }>();
    const consumed: CommitBatch["consumed"] = [];
    const subscriptions: CommitBatch["subscriptions"] = [];
    this.candidates = commits.map((commit) => {
      if (commit.epoch !== newest.get(commit.runId)) return false;
      let part = parts.get(commit.runId);
      if (part?.outcome) return false; // the run ended earlier in this batch
      part ??= { runId: commit.runId, epoch: commit.epoch, cancelDelivered: false, outcome: undefined };
      parts.set(commit.runId, part);
      part.cancelDelivered ||= commit.cancelDelivered;
      part.outcome = commit.outcome;
      for (const entry of commit.entries) entries.set(`${commit.runId}\u0000${entry.position}`, { runId: commit.runId, ...entry });
      for (const event of commit.consumed) consumed.push({ runId: commit.runId, ...event });
      for (const subscription of commit.subscriptions ?? []) subscriptions.push({ runId: commit.runId, ...subscription });
      return true;
    });
    this.runs = [...parts.values()].sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
    this.entries = [...entries.values()];
    this.consumed = consumed;
    this.subscriptions = subscriptions;
  }

  /**
   * The subscriptions to write once the commit statement ran: those of runs that passed the fence
   * and did not end (a run's subscriptions end with it), in the statement's parameters.
   */
  subscriptionsKept(fenced: ReadonlySet<string>): unknown[] | undefined {
    const ending = new Set(this.runs.filter((run) => run.outcome && ENDED_STATUSES.has(run.outcome.status)).map((run) => run.runId));
    const kept = this.subscriptions.filter(({ runId }) => fenced.has(runId) && !ending.has(runId));
    if (kept.length === 0) return undefined;
    return [kept.map((s) => s.runId), kept.map((s) => s.position), kept.map((s) => s.eventType)];
  }

  /** The runs that continue as new runs, with those new runs (created once the fence held). */
  get continuations(): { runId: string; next: NewRun }[] {
    return this.runs.flatMap(({ runId, outcome }) => (outcome?.status === "completed" && outcome.continuedTo ? [{ runId, next: outcome.continuedTo }] : []));
  }

  /** Whether a run of the batch suspends (its commit must lock the run's row first). */
  get suspends(): boolean {
    return this.runs.some((run) => run.outcome?.status === "waiting");
  }

  /**
   * When the batch is one run's commit of one journal entry and nothing else, the parameters of
   * `statements().commitStep` after the worker id and the time; else undefined.
   */
  singleStep(): unknown[] | undefined {
    const [commit, ...others] = this.commits;
    if (!commit || others.length > 0 || commit.entries.length !== 1 || commit.consumed.length > 0 || commit.outcome || this.subscriptions.length > 0) return undefined;
    const e = commit.entries[0]!;
    return [commit.runId, commit.epoch, commit.cancelDelivered, e.position, e.kind, e.name, e.status, e.output, e.error, e.attempts, e.startedAt, e.finishedAt, e.wakeAt, e.seq];
  }

  /**
   * When the batch is one run's final commit (finished, nothing else to write), the parameters of
   * `statements().finishRun` after the worker id and the time; else undefined.
   */
  singleFinish(): unknown[] | undefined {
    const [commit, ...others] = this.commits;
    const outcome = commit?.outcome;
    if (!commit || others.length > 0 || commit.entries.length > 0 || commit.consumed.length > 0 || !outcome || outcome.status === "waiting") return undefined;
    if (this.subscriptions.length > 0) return undefined;
    if (outcome.status === "completed" && outcome.continuedTo) return undefined;
    const output = outcome.status === "completed" ? outcome.output : null;
    const error = outcome.status === "completed" ? null : outcome.error;
    return [commit.runId, commit.epoch, commit.cancelDelivered, outcome.status, output, error];
  }

  /** The statement's parameters after the worker id and the time. */
  params(): unknown[] {
    const { runs, entries, consumed } = this;
    const finished = (outcome: RunOutcome | undefined) => outcome !== undefined && outcome.status !== "waiting";
    return [
      runs.map((r) => r.runId), runs.map((r) => r.epoch), runs.map((r) => r.cancelDelivered),
      runs.map((r) => r.outcome?.status ?? null),
      runs.map((r) => (r.outcome?.status === "completed" ? r.outcome.output : null)),
      runs.map((r) => (finished(r.outcome) && r.outcome!.status !== "completed" ? (r.outcome as { error: string }).error : null)),
      runs.map((r) => (r.outcome?.status === "waiting" ? r.outcome.dueAt : null)),
      runs.map((r) => (r.outcome?.status === "waiting" ? JSON.stringify(r.outcome.waitingFor) : null)),
      entries.map((e) => e.runId), entries.map((e) => e.position), entries.map((e) => e.kind), entries.map((e) => e.name),
      entries.map((e) => e.status), entries.map((e) => e.output), entries.map((e) => e.error), entries.map((e) => e.attempts),
      entries.map((e) => e.startedAt), entries.map((e) => e.finishedAt), entries.map((e) => e.wakeAt), entries.map((e) => e.seq),
      consumed.map((c) => c.eventSeq), consumed.map((c) => c.runId), consumed.map((c) => c.position),
      runs.map((r) => (r.outcome?.status === "completed" ? (r.outcome.continuedTo?.id ?? null) : null)),
    ];
  }

  /** For each commit, in order, whether it was applied, given the runs that passed the fence. */
  results(fenced: ReadonlySet<string>): boolean[] {
    return this.commits.map((commit, index) => this.candidates[index]! && fenced.has(commit.runId));
  }
}
