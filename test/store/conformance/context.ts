import assert from "node:assert/strict";
import type { ClaimedRun, ClaimRequest, NewRun, RunRecord, Store } from "../../../src/store/store.js";
import { claimRequest, newRun } from "../builders.js";

/** A store under test, with what the suite needs to tear it down. */
export interface StoreFixture {
  store: Store;
  /**
   * Opens a second, independent handle on the same storage, as another process would (another
   * connection to the same file or database). Omit it when the storage cannot be shared
   * (`:memory:`); the suite then skips its shared-storage tests. The fixture's `cleanup` closes it.
   */
  connectAgain?(): Promise<Store>;
  /** Closes the store (it may already be closed) and removes its storage. */
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  /**
   * A fresh, empty, migrated store, isolated from every other test's. It must measure time only
   * by `clock` (creation times, leases, due times), so the suite can move time without sleeping.
   */
  create(options: { clock: () => number }): Promise<StoreFixture>;
}

/** An arbitrary fixed start, far from 0 so a store that confuses "0" with "unset" shows it. */
export const T0 = 1_700_000_000_000;

/** Time that moves only when a test says so. */
export class ManualClock {
  private current: number;

  constructor(start = T0) {
    this.current = start;
  }

  /** The clock function to give a store. */
  readonly now = (): number => this.current;

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
}

/** What each test of the suite works with; a new store and clock for every test. */
export interface SuiteContext {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly fixture: StoreFixture;
  /** Claims for `workerId` with the default claim request of `builders.ts`. */
  claim(workerId: string, overrides?: Partial<ClaimRequest>): Promise<ClaimedRun[]>;
  /** Creates a run and has `workerId` claim it; fails unless exactly that run was claimed. */
  startRun(workerId?: string, run?: Partial<NewRun>): Promise<ClaimedRun>;
  /** The run as the store has it now; fails when it does not exist. */
  run(id: string): Promise<RunRecord>;
}

export function suiteContext(current: () => { store: Store; clock: ManualClock; fixture: StoreFixture }): SuiteContext {
  const context: SuiteContext = {
    get store() {
      return current().store;
    },
    get clock() {
      return current().clock;
    },
    get fixture() {
      return current().fixture;
    },
    claim(workerId, overrides = {}) {
      return current().store.claimRuns(claimRequest(workerId, overrides));
    },
    async startRun(workerId = "worker-1", run = {}) {
      const { run: created } = await context.store.createRun(newRun(run));
      const claimed = await context.claim(workerId, { workflows: [created.workflow] });
      assert.deepEqual(claimed.map((c) => c.run.id), [created.id], "startRun(): the new run should be the one claimed");
      return claimed[0]!;
    },
    async run(id) {
      const run = await context.store.getRun(id);
      assert.ok(run, `run "${id}" should exist`);
      return run;
    },
  };
  return context;
}
