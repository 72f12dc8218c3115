import type { CommitDone } from "./host.js";

/**
 * Orders one run's transactional steps against its other commits.
 *
 * Outcomes are handed to the workflow in `seq` order, some before they are durable (a timer, an
 * event), so a commit must never make a later outcome durable without every earlier one. A
 * transactional step commits its result with the store's transaction, outside the group commit:
 * it may only start once the run's commits in flight have landed, and the run's other commits wait
 * until it ends (the step then takes along everything the run has buffered). Transactional steps of
 * one run go one at a time.
 */
export class CommitGate {
  private inFlight = 0;
  private drained?: () => void;
  /** Settles when the open transaction ends; undefined while none is open. */
  private open?: Promise<void>;
  /** Settles when the last queued transaction ends. */
  private tail: Promise<void> = Promise.resolve();

  /** Runs `write` (a commit of the run) now, or once the open transaction has ended. */
  commit(write: (done: CommitDone) => void, done: CommitDone): void {
    if (this.open) {
      void this.open.then(() => this.commit(write, done));
      return;
    }
    this.inFlight++;
    write((error) => {
      if (--this.inFlight === 0) this.drained?.();
      done(error);
    });
  }

  /**
   * Runs `body` (a transactional step's attempt) after the run's earlier ones, once no commit of
   * the run is in flight; commits asked for meanwhile wait until it ends.
   */
  async exclusive<T>(body: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => (done = resolve));
    await previous;
    let ended!: () => void;
    this.open = new Promise<void>((resolve) => (ended = resolve));
    try {
      if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await body();
    } finally {
      this.open = undefined;
      ended(); // the waiting commits go first, then the next transaction
      done();
    }
  }
}
