import { LeaseLostError } from "../api/errors.js";
import type { Committable } from "../engine/host.js";
import type { Store } from "../store/store.js";

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: every run that asks for a commit during one event-loop turn, or while the previous
 * commit is in flight, shares the next transaction. Each caller resumes only once its own writes
 * are durable; a run whose lease was taken over gets `LeaseLostError` and nothing of it is written.
 */
export class GroupCommitter {
  private next = new Map<Committable, Waiter[]>();
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly store: Store,
    private readonly workerId: string,
  ) {}

  commit(run: Committable): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiters = this.next.get(run);
      if (waiters) waiters.push({ resolve, reject });
      else this.next.set(run, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.next;
    this.next = new Map();
    this.flushing = true;
    const runs = [...batch.keys()];
    try {
      const applied = await this.store.commit(this.workerId, runs.map((run) => run.takeCommit()));
      runs.forEach((run, index) => {
        const waiters = batch.get(run)!;
        if (applied[index]) for (const waiter of waiters) waiter.resolve();
        else for (const waiter of waiters) waiter.reject(new LeaseLostError(run.runId));
      });
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.flushing = false;
      if (this.next.size > 0) this.schedule();
    }
  }
}
