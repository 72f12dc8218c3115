/**
 * Keeps a user transaction alone on the SQLite store's one connection. better-sqlite3 runs every
 * store call to completion in one go, but a user transaction stays open while its function awaits
 * between statements; meanwhile no other call may touch the connection, or its writes would land
 * in that transaction (and be rolled back with it).
 *
 * With no transaction open a call runs at once, without an await. While one is open, calls wait
 * until it ends and transactions queue behind it. When it ends the waiting calls run first, in
 * order (each is short and synchronous), then the next transaction: a worker's heartbeat waits for
 * one transaction at most, not for the whole queue.
 */
export class ConnectionGate {
  private holder = false;
  private readonly calls: (() => void)[] = [];
  private readonly transactions: (() => void)[] = [];

  /** Whether a user transaction holds the connection. */
  get held(): boolean {
    return this.holder;
  }

  /** Runs a synchronous call now, or once the open transaction has ended. */
  run<T>(call: () => T): T | Promise<T> {
    if (!this.holder) return call();
    return new Promise<T>((resolve, reject) => {
      this.calls.push(() => {
        try {
          resolve(call());
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Waits for the connection and holds it until {@link release}. */
  acquire(): Promise<void> {
    if (!this.holder) {
      this.holder = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.transactions.push(resolve));
  }

  /** Runs the calls that waited, then hands the connection to the next transaction, if any. */
  release(): void {
    this.holder = false;
    for (const call of this.calls.splice(0)) call();
    const next = this.transactions.shift();
    if (next === undefined) return;
    this.holder = true;
    next();
  }
}
