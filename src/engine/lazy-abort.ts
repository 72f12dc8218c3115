/**
 * An abort controller whose `AbortSignal` is made only when someone reads it. Most step attempts
 * never look at their signal, and making one costs more than the rest of a no-op step's bookkeeping.
 */
export class LazyAbort {
  private controller?: AbortController;
  private aborted?: { reason: unknown };

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.aborted.reason);
    }
    return this.controller.signal;
  }

  /** Why it was aborted; undefined while it was not. */
  get reason(): unknown {
    return this.aborted?.reason;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = { reason };
    this.controller?.abort(reason);
  }
}
