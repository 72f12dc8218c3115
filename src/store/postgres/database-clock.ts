import type pg from "pg";

const RESYNC_MS = 60_000;

/**
 * The database server's clock, read locally: the offset between this machine's clock and the
 * server's is measured at open and every minute after, so leases and due times of workers on
 * different machines are judged by one clock even when the machines' clocks disagree.
 */
export class DatabaseClock {
  private offsetMs = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pool: pg.Pool) {}

  /** Now, by the server's clock, in ms since the epoch. */
  readonly now = (): number => Date.now() + this.offsetMs;

  /** Measures the offset, then keeps it fresh in the background. */
  async start(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync().catch(() => {}), RESYNC_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sync(): Promise<void> {
    const sentAt = Date.now();
    const { rows } = await this.pool.query(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now`);
    const receivedAt = Date.now();
    // The server read its clock somewhere in the round trip; the middle is the best guess.
    this.offsetMs = Math.round((rows[0] as { now: number }).now - (sentAt + receivedAt) / 2);
  }
}
