import type { Logger } from "./logger.js";

/**
 * Reports a store outage once, not once per failed call: while the database is down, every claim,
 * heartbeat and commit of a worker fails, and a minute of that would bury the log. The first
 * failure is logged with its error, the rest are counted and summed up when the store answers.
 */
export class OutageLog {
  private failures = 0;

  constructor(private readonly logger: Logger) {}

  /** Whether the store is failing right now. */
  get down(): boolean {
    return this.failures > 0;
  }

  failed(what: string, error: unknown): void {
    if (this.failures === 0) {
      this.logger.error(`${what} failed: the store is not answering; retrying with back-off until it does`, { error });
    }
    this.failures++;
  }

  recovered(): void {
    if (this.failures === 0) return;
    this.logger.warn(`the store answers again after ${this.failures} failed calls; work resumes`);
    this.failures = 0;
  }
}
