import { loggedEvent } from "../api/logged-event.js";
import type { TriggerDefinition } from "../api/trigger.js";
import type { Serializer } from "../serialization/serializer.js";
import type { LogEventRecord, TriggerRecord } from "../store/event-log-store.js";
import type { NewRun, Store } from "../store/store.js";
import type { Logger } from "./logger.js";
import type { OutageLog } from "./outage-log.js";
import { WakeableLoop } from "./wakeable-loop.js";

/**
 * The log is looked at least this often: another process may have appended events, or died while
 * dispatching a trigger this worker skipped. The store's look is one read, and writes nothing when idle.
 */
const RECHECK_MS = 250;
/** Most events read per trigger per transaction. */
const DISPATCH_LIMIT = 100;

/** The id of the one run a trigger starts for an event: the store keeps run ids unique. */
export function triggerRunId(trigger: string, seq: number): string {
  return `trigger:${trigger}:${seq}`;
}

/**
 * Starts the runs of a worker's triggers: whenever the event log grows (a hint from the store or a
 * local client, or a check every {@link RECHECK_MS}), has the store hand each trigger its next events
 * and starts a run for every one its filter accepts.
 *
 * Exactly one run per trigger and event, with any number of workers and crashes: the runs and the
 * trigger's cursor move in one transaction, and a run's id derives from the trigger and the event.
 */
export class TriggerDispatcher {
  private readonly triggers: ReadonlyMap<string, TriggerDefinition>;
  private readonly loop: WakeableLoop;

  constructor(
    private readonly store: Store,
    triggers: readonly TriggerDefinition[],
    private readonly serializer: Serializer,
    private readonly logger: Logger,
    outage: OutageLog,
    /** Called when runs were started, so the worker claims them at once. */
    private readonly onStarted: () => void,
  ) {
    this.triggers = new Map(triggers.map((trigger) => [trigger.name, trigger]));
    this.loop = new WakeableLoop("dispatching events to triggers", outage, async () => ((await this.dispatch()) ? 0 : RECHECK_MS));
  }

  /** Records the triggers in the store: a new one reads the events appended from now on. */
  async register(): Promise<void> {
    if (this.triggers.size === 0) return;
    await this.store.registerTriggers(
      [...this.triggers.values()].map((trigger) => ({ name: trigger.name, eventType: trigger.eventType, workflow: trigger.workflow.name })),
    );
  }

  start(): void {
    if (this.triggers.size > 0) this.loop.start();
  }

  /** The log may have grown: look now rather than at the next check. */
  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** @internal Dispatches every event in the log now (the test kit, after an emit). */
  async dispatchAll(): Promise<void> {
    while (this.triggers.size > 0 && (await this.dispatch()));
  }

  /** One round: each trigger's next events. @returns whether some trigger has more. */
  private async dispatch(): Promise<boolean> {
    const { created, more } = await this.store.dispatchEvents({
      triggers: [...this.triggers.keys()],
      limit: DISPATCH_LIMIT,
      plan: (trigger, events) => this.plan(trigger, events),
    });
    if (created.length > 0) this.onStarted();
    return more;
  }

  /** The runs to start for a trigger's next events: one per event its filter accepts. */
  private plan(record: TriggerRecord, events: readonly LogEventRecord[]): NewRun[] {
    const trigger = this.triggers.get(record.name);
    if (!trigger) return [];
    const { tags = [], ...settings } = trigger.runSettings;
    const runs: NewRun[] = [];
    for (const event of events) {
      // An event that cannot start a run is reported and passed over: it must not hold up the others.
      try {
        const logged = loggedEvent(event, (text) => this.serializer.deserialize(text));
        if (trigger.filter !== undefined && !trigger.filter(logged)) continue;
        runs.push({
          ...settings,
          id: triggerRunId(trigger.name, event.seq),
          workflow: trigger.workflow.name,
          input: this.serializer.serialize([logged], `The event ${event.seq} for trigger "${trigger.name}"`),
          tags: [...tags, `trigger:${trigger.name}`, `event:${event.seq}`],
        });
      } catch (error) {
        this.logger.error(
          `trigger "${trigger.name}" starts no run for event ${event.seq} (${event.type}): ${trigger.filter === undefined ? "" : "its filter threw, or "}the event could not be made its run's input. ` +
            `Fix it, then re-dispatch the event: endure events redispatch ${event.seq} --trigger ${trigger.name}`,
          { error },
        );
      }
    }
    return runs;
  }
}
