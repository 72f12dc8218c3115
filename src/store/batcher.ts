/** Called once with the item's result, or with the error that failed its batch. */
export type BatchCallback<O> = (error: unknown, result?: O) => void;

/**
 * Batches writes to a store: every item added during one event-loop turn, or while the previous
 * batch is in flight, goes into the next batch. One batch is in flight at a time, so a slow store
 * gets bigger batches rather than more concurrent ones, and one commit serves them all. An item
 * added again before its batch is written shares that batch's result.
 *
 * Callbacks rather than promises: on the path of every step, each promise costs (async context
 * tracking hooks into every one); {@link addAsync} is the promise form.
 */
export class Batcher<I, O> {
  private next = new Map<I, BatchCallback<O>[]>();
  private flushing = false;
  private scheduled = false;
  private readonly flushNow = () => {
    this.scheduled = false;
    this.flush();
  };

  /**
   * @param write writes a batch; resolves to one result per item, in order.
   * @param maxBatch most items per batch; the rest wait for the next one.
   */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 1000,
  ) {}

  add(item: I, callback: BatchCallback<O>): void {
    const callbacks = this.next.get(item);
    if (callbacks) callbacks.push(callback);
    else this.next.set(item, [callback]);
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
  }

  addAsync(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => this.add(item, (error, result) => (error === undefined ? resolve(result!) : reject(error))));
  }

  private flush(): void {
    const batch = this.take();
    this.flushing = true;
    const settle = (error: unknown, results?: O[]) => {
      this.flushing = false;
      let index = 0;
      for (const callbacks of batch.values()) {
        const result = results?.[index++];
        for (const callback of callbacks) callback(error, result);
      }
      if (this.next.size > 0 && !this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushNow);
      }
    };
    let written: Promise<O[]>;
    try {
      written = this.write([...batch.keys()]);
    } catch (error) {
      return settle(error ?? new Error("the batch's write failed"));
    }
    written.then((results) => settle(undefined, results), (error: unknown) => settle(error ?? new Error("the batch's write failed")));
  }

  /** The next batch: everything waiting, or its first `maxBatch` items. */
  private take(): Map<I, BatchCallback<O>[]> {
    if (this.next.size <= this.maxBatch) {
      const all = this.next;
      this.next = new Map();
      return all;
    }
    const batch = new Map<I, BatchCallback<O>[]>();
    for (const [item, callbacks] of this.next) {
      if (batch.size === this.maxBatch) break;
      batch.set(item, callbacks);
      this.next.delete(item);
    }
    return batch;
  }
}
