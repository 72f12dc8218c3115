import type { JournalEntry } from "../store/store.js";

/** A sleep, an event wait or a retry back-off that has not fired yet. */
export interface Wait {
  kind: "sleep" | "event" | "retry" | "child";
  /** The journal entry of the wait; its `wakeAt` is when the wait fires by itself (null: never). */
  entry: JournalEntry;
  /** The inbox event that ends the wait (a child's end is one too). */
  eventName?: string;
  /** The child run a `child` wait waits for. */
  childId?: string;
  fire(): void;
  reject(error: Error): void;
}

const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The waits of one run, by position, with their in-memory timers. */
export class PendingWaits {
  private readonly waits = new Map<number, { wait: Wait; timer?: NodeJS.Timeout }>();

  constructor(private readonly clock: () => number) {}

  get size(): number {
    return this.waits.size;
  }

  /**
   * Adds a wait and, when `withTimer`, starts its timer: at `wakeAt` the wait is removed and
   * fired, if `canFire()` still says so. Timers too far away for Node are left to the suspension.
   */
  add(wait: Wait, withTimer: boolean, canFire: () => boolean): void {
    const position = wait.entry.position;
    const held: { wait: Wait; timer?: NodeJS.Timeout } = { wait };
    this.waits.set(position, held);
    const { wakeAt } = wait.entry;
    if (wakeAt === null || !withTimer) return;
    const delay = Math.max(0, wakeAt - this.clock());
    if (delay > LONGEST_TIMER_MS) return;
    held.timer = setTimeout(() => {
      if (this.waits.get(position) !== held || !canFire()) return;
      this.waits.delete(position);
      wait.fire();
    }, delay);
  }

  /** Stops every timer, keeping the waits (a stopping worker fires nothing more). */
  stopTimers(): void {
    for (const held of this.waits.values()) clearTimeout(held.timer);
  }

  /** Removes every wait, timers stopped, and returns them. */
  takeAll(): Wait[] {
    this.stopTimers();
    const waits = [...this.waits.values()].map((held) => held.wait);
    this.waits.clear();
    return waits;
  }

  /** The child runs waited for. */
  childIds(): string[] {
    return [...this.waits.values()].flatMap(({ wait }) => (wait.childId === undefined ? [] : [wait.childId]));
  }

  /** When the run wakes by itself (the earliest timer; null: never) and which events wake it. */
  wakeConditions(): { dueAt: number | null; waitingFor: string[] } {
    let dueAt: number | null = null;
    const waitingFor = new Set<string>();
    for (const { wait } of this.waits.values()) {
      if (wait.eventName !== undefined) waitingFor.add(wait.eventName);
      const { wakeAt } = wait.entry;
      if (wakeAt !== null && (dueAt === null || wakeAt < dueAt)) dueAt = wakeAt;
    }
    return { dueAt, waitingFor: [...waitingFor] };
  }
}
