import pg from "pg";

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * One connection that LISTENs for "a run became due" notifications and tells the workers of this
 * process, so they claim at once instead of at their next poll. Polling stays the safety net: a
 * lost connection is reopened with back-off, and listeners are told once it is back, since
 * notifications sent meanwhile are lost.
 */
export class WakeListener {
  private readonly listeners = new Set<() => void>();
  private client?: pg.Client;
  private retryMs = RETRY_MIN_MS;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  add(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.client && !this.retryTimer) void this.connect();
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.config);
    this.client = client;
    client.on("notification", () => this.wake());
    client.on("error", () => this.reconnect(client));
    client.on("end", () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      this.retryMs = RETRY_MIN_MS;
      this.wake();
    } catch {
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => {});
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private wake(): void {
    for (const listener of this.listeners) listener();
  }
}
