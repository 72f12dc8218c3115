interface Waiter<O> {
  resolve(value: O): void;
  reject(error: unknown): void;
}

/**
 * Batches writes to a store: every item added during one event-loop turn, or while the previous
 * batch is in flight, goes into the next batch. One batch is in flight at a time, so a slow store
 * gets bigger batches rather than more concurrent ones, and one commit serves them all. An item
 * added again before its batch is written shares that batch's result.
 */
export class Batcher<I, O> {
  private next = new Map<I, Waiter<O>[]>();
  private flushing = false;
  private scheduled = false;

  /**
   * @param write writes a batch; resolves to one result per item, in order.
   * @param maxBatch most items per batch; the rest wait for the next one.
   */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 1000,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const waiters = this.next.get(item);
      if (waiters) waiters.push({ resolve, reject });
      else this.next.set(item, [{ resolve, reject }]);
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
    const batch = this.take();
    this.flushing = true;
    try {
      const results = await this.write([...batch.keys()]);
      let index = 0;
      for (const waiters of batch.values()) {
        const result = results[index++]!;
        for (const waiter of waiters) waiter.resolve(result);
      }
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.flushing = false;
      if (this.next.size > 0) this.schedule();
    }
  }

  /** The next batch: everything waiting, or its first `maxBatch` items. */
  private take(): Map<I, Waiter<O>[]> {
    if (this.next.size <= this.maxBatch) {
      const all = this.next;
      this.next = new Map();
      return all;
    }
    const batch = new Map<I, Waiter<O>[]>();
    for (const [item, waiters] of this.next) {
      if (batch.size === this.maxBatch) break;
      batch.set(item, waiters);
      this.next.delete(item);
    }
    return batch;
  }
}
