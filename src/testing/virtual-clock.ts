/**
 * The test kit's clock: it stands still until moved, so every time a run sees (`now()`, a timer's
 * wake-up, a retry's back-off) is exact, and only moves forward.
 */
export class VirtualClock {
  private time: number;

  constructor(start: number) {
    this.time = start;
  }

  /** The clock as a function, for the store, the client and its worker. */
  readonly now = (): number => this.time;

  /** Moves to `time`; a time in the past leaves the clock where it is. */
  moveTo(time: number): void {
    this.time = Math.max(this.time, time);
  }
}
