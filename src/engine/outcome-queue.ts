import type { JournalEntry } from "../store/store.js";

/** What the queue asks of the run it serves. */
export interface OutcomeQueueHooks {
  /** Whether outcomes may still be handed over (the run is in memory and going). */
  active(): boolean;
  /** Called after each live (not replayed) outcome was handed over. */
  delivered(): void;
  /** Called when nothing more can be handed over for now. */
  quiet(): void;
}

/**
 * Hands outcomes (a step's result, a timer firing, an event arriving) to the workflow in `seq`
 * order, one per event-loop turn, so the workflow runs until it blocks again before the next one:
 * then the calls it makes in between, and so their positions, are the same on every replay. A
 * replay hands the recorded outcomes over in their recorded order first; live outcomes are
 * numbered after them.
 */
export class OutcomeQueue {
  private readonly ready = new Map<number, () => void>();
  private readonly recorded: JournalEntry[];
  private replayIndex = 0;
  private nextLive: number;
  private nextNumber: number;
  private draining = false;

  constructor(journal: readonly JournalEntry[], private readonly hooks: OutcomeQueueHooks) {
    this.recorded = journal.filter((entry) => entry.seq !== null).sort((a, b) => a.seq! - b.seq!);
    this.nextNumber = (this.recorded.at(-1)?.seq ?? 0) + 1;
    this.nextLive = this.nextNumber;
  }

  /** Whether recorded outcomes are still to be handed over. */
  get replaying(): boolean {
    return this.replayIndex < this.recorded.length;
  }

  /** Whether an outcome is being handed over or can be right now. */
  get moving(): boolean {
    return this.draining || this.ready.has(this.expected());
  }

  /** The recorded outcome the replay waits for, when its call has not been made. */
  get stalledOn(): JournalEntry | undefined {
    return this.replaying && !this.moving ? this.recorded[this.replayIndex] : undefined;
  }

  /** The `seq` of a new live outcome. */
  number(): number {
    return this.nextNumber++;
  }

  /** Outcome `seq` may be handed over once its turn comes: `settle` resolves or rejects the call. */
  offer(seq: number, settle: () => void): void {
    this.ready.set(seq, settle);
    this.pump();
  }

  pump(): void {
    if (this.draining || !this.hooks.active()) return;
    if (!this.ready.has(this.expected())) return this.hooks.quiet();
    this.draining = true;
    this.drain();
  }

  /** Hands over the next outcome, then comes back on the next turn for the one after. */
  private drain(): void {
    const settle = this.hooks.active() ? this.ready.get(this.expected()) : undefined;
    if (!settle) {
      this.draining = false;
      this.hooks.quiet();
      return;
    }
    this.ready.delete(this.expected());
    if (this.replaying) this.replayIndex++;
    else this.nextLive++;
    settle();
    if (!this.replaying) this.hooks.delivered();
    setImmediate(this.drainNext);
  }

  private readonly drainNext = () => this.drain();

  private expected(): number {
    return this.replaying ? this.recorded[this.replayIndex]!.seq! : this.nextLive;
  }
}
