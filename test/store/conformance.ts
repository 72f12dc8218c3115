/**
 * The store conformance suite: the behaviour every {@link Store} promises in `src/store/store.ts`,
 * written once and run against every backend. A backend's test file calls
 *
 * ```ts
 * storeConformance("SqliteStore (file)", {
 *   async create({ clock }) {
 *     const store = new SqliteStore(path, { clock });
 *     return { store, cleanup: async () => { await store.close(); removeFiles(); } };
 *   },
 * });
 * ```
 *
 * Every test gets a fresh store from the factory and a {@link ManualClock} that starts at
 * {@link T0} and moves only when the test advances it, so leases, timers and due times are tested
 * without sleeping. The tests are grouped by concern in `conformance/`.
 */
import { afterEach, beforeEach, describe } from "node:test";
import type { Store } from "../../src/store/store.js";
import { claimTests } from "./conformance/claims.js";
import { commitTests } from "./conformance/commits.js";
import { ManualClock, type StoreFactory, type StoreFixture, suiteContext } from "./conformance/context.js";
import { eventTests } from "./conformance/events.js";
import { retentionTests } from "./conformance/retention.js";
import { runTests } from "./conformance/runs.js";
import { transactionTests } from "./conformance/transactions.js";
import { workerTests } from "./conformance/workers.js";
// ---- retry and fork ----
import { retryTests } from "./conformance/retry.js";
import { queueTests } from "./conformance/queues.js";
// ---- schedules ----
import { scheduleTests } from "./conformance/schedules.js";
// ---- worker registry ----
import { workerRegistryTests } from "./conformance/worker-registry.js";
// ---- version pinning ----
import { versionPinningTests } from "./conformance/version-pinning.js";
// ---- event log ----
import { eventLogTests } from "./conformance/event-log.js";

export type { StoreFactory, StoreFixture } from "./conformance/context.js";

/** Registers `describe(name)` with the whole suite, each test on a store from `factory`. */
export function storeConformance(name: string, factory: StoreFactory): void {
  describe(name, () => {
    let current: { store: Store; clock: ManualClock; fixture: StoreFixture } | undefined;

    beforeEach(async () => {
      const clock = new ManualClock();
      const fixture = await factory.create({ clock: clock.now });
      current = { store: fixture.store, clock, fixture };
    });

    afterEach(async () => {
      const fixture = current?.fixture;
      current = undefined;
      await fixture?.cleanup();
    });

    const context = suiteContext(() => {
      if (!current) throw new Error("The store conformance context is only available inside a test.");
      return current;
    });
    runTests(context);
    claimTests(context);
    commitTests(context);
    eventTests(context);
    workerTests(context);
    transactionTests(context);
    retentionTests(context);
    // ---- retry and fork ----
    retryTests(context);
    // ---- queues ----
    queueTests(context);
    // ---- schedules ----
    scheduleTests(context);
    // ---- worker registry ----
    workerRegistryTests(context);
    // ---- version pinning ----
    versionPinningTests(context);
    // ---- event log ----
    eventLogTests(context);
  });
}
