import { InvalidArgumentError, ScheduleNotFoundError } from "../api/errors.js";
import { isWorkflowDefinition, WORKFLOW_NAME, type WorkflowDefinition } from "../api/workflow.js";
import type { Serializer } from "../serialization/serializer.js";
import type { CatchUpPolicy, ScheduleRecord } from "../store/schedule-store.js";
import type { Store } from "../store/store.js";
import { nextTick, parseCron, type ScheduleRunOptions } from "../worker/schedule-plan.js";
import { runOptions, type StartOptions } from "../api/run-options.js";
import { date } from "./run-info.js";

/** What a schedule starts, and when. */
export interface ScheduleDefinition<A extends unknown[] = unknown[], R = unknown> extends Omit<StartOptions, "id" | "delay"> {
  /**
   * When: a cron expression of 5 fields (minute hour day-of-month month day-of-week, e.g.
   * `"0 9 * * 1-5"`) or 6 with seconds first (`"*\/10 * * * * *"`), read in `timezone`.
   */
  cron: string;
  /** An IANA time zone name such as `"Europe/Berlin"` (default `"UTC"`). */
  timezone?: string;
  /** The workflow each tick starts: a definition from `workflow()`, or the name of one a worker serves. */
  workflow: WorkflowDefinition<A, R> | string;
  /** The workflow's arguments, as an array: every tick's run gets the same. */
  args: NoInfer<A>;
  /**
   * Which ticks missed while no worker served the workflow run once a worker is back (default
   * `"latest"`): `"skip"` none, `"latest"` the most recent one, `"all"` every one, oldest first.
   */
  catchUp?: CatchUpPolicy;
}

/** A schedule as `schedules.get()` and `schedules.list()` show it. */
export interface ScheduleInfo {
  name: string;
  workflow: string;
  cron: string;
  timezone: string;
  args: unknown[];
  catchUp: CatchUpPolicy;
  /** The options each tick's run starts with (tags, timeout in ms, queue, ...). */
  runOptions: ScheduleRunOptions;
  paused: boolean;
  /** The next tick, in the store's clock; null while paused. */
  nextAt: Date | null;
  /** The last tick that started a run (or was due when missed ticks were skipped: not counted). */
  lastAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const CATCH_UP: readonly CatchUpPolicy[] = ["skip", "latest", "all"];
const DEFINITION_KEYS = new Set(["cron", "timezone", "workflow", "args", "catchUp", "tags", "timeout", "queue", "priority", "concurrencyKey"]);

/**
 * Cron schedules: each tick of a schedule starts one run of its workflow, with the id
 * `schedule:<name>:<tick time, ISO 8601 UTC>`, however many workers are running. Workers serving
 * the workflow fire the ticks. Use it as `endure.schedules`.
 *
 * @example
 * ```ts
 * await endure.schedules.set("nightly-report", {
 *   cron: "0 2 * * *", timezone: "Europe/Berlin", workflow: sendReport, args: ["ops@example.com"],
 * });
 * ```
 */
export class Schedules {
  /** @internal Use `endure.schedules`. */
  constructor(
    private readonly store: Store,
    private readonly serializer: Serializer,
    /** Checks a workflow name against the ones workers serve. */
    private readonly knownWorkflow: (name: string) => Promise<string>,
    private readonly assertOpen: () => void,
  ) {}

  /**
   * Creates the schedule, or updates the one of that name: declare schedules in code at start-up,
   * as often as you like. An update keeps the schedule paused if it was, and keeps its next tick
   * unless the cron or time zone changed (a due tick still fires).
   * @throws InvalidArgumentError (an invalid name, cron, time zone, catch-up or run option), UnknownWorkflowError
   */
  async set<A extends unknown[], R>(name: string, definition: ScheduleDefinition<A, R>): Promise<ScheduleInfo>;
  async set(name: string, definition: ScheduleDefinition): Promise<ScheduleInfo> {
    this.assertOpen();
    const where = `schedules.set(${JSON.stringify(name)})`;
    validateName(name, where);
    if (typeof definition !== "object" || definition === null) {
      throw new InvalidArgumentError(`${where}: the definition must be an object such as { cron: "0 2 * * *", workflow: report, args: [] }; got ${definition === null ? "null" : typeof definition}.`);
    }
    const unknown = Object.keys(definition).filter((key) => !DEFINITION_KEYS.has(key));
    if (unknown.length > 0) {
      throw new InvalidArgumentError(
        `${where}: unknown option ${unknown.map((key) => JSON.stringify(key)).join(", ")}; a schedule takes ${[...DEFINITION_KEYS].join(", ")}. ` +
          `(Tick runs get their id from the tick and start at it: id and delay do not apply.)`,
      );
    }
    const { cron, timezone = "UTC", workflow, args, catchUp = "latest", ...options } = definition;
    const parsed = validateCron(cron, validateTimezone(timezone, where), where);
    if (!CATCH_UP.includes(catchUp)) {
      throw new InvalidArgumentError(`${where}: catchUp must be one of ${CATCH_UP.map((policy) => `"${policy}"`).join(", ")}; got ${JSON.stringify(catchUp) ?? typeof catchUp}.`);
    }
    const { tags, timeoutMs, queue, priority, concurrencyKey } = runOptions(options, where, 0);
    if (!Array.isArray(args)) {
      throw new InvalidArgumentError(`${where}: args must be an array of the workflow's arguments, e.g. ["alice", 10]; got ${typeof args}.`);
    }
    const workflowName = await this.workflowName(workflow, where);
    const input = this.serializer.serialize(args, `The input of schedule "${name}"`);
    const record = await this.store.upsertSchedule(
      { name, workflow: workflowName, cron, timezone, input, options: JSON.stringify({ tags, timeoutMs, queue, priority, concurrencyKey }), catchUp },
      (now) => nextTick(parsed, now),
    );
    return this.info(record);
  }

  /** @throws ScheduleNotFoundError */
  async get(name: string): Promise<ScheduleInfo> {
    this.assertOpen();
    validateName(name, "schedules.get()");
    return this.found(name, await this.store.getSchedule(name));
  }

  /** Every schedule, by name. */
  async list(): Promise<ScheduleInfo[]> {
    this.assertOpen();
    return (await this.store.listSchedules()).map((record) => this.info(record));
  }

  /** Stops the schedule firing until `resume()`. Its runs already started go on. @throws ScheduleNotFoundError */
  async pause(name: string): Promise<ScheduleInfo> {
    this.assertOpen();
    validateName(name, "schedules.pause()");
    return this.found(name, await this.store.pauseSchedule(name));
  }

  /** Fires the schedule again from its next tick after now: ticks while it was paused never run. @throws ScheduleNotFoundError */
  async resume(name: string): Promise<ScheduleInfo> {
    this.assertOpen();
    validateName(name, "schedules.resume()");
    const record = await this.store.getSchedule(name);
    if (!record) throw new ScheduleNotFoundError(name);
    const cron = parseCron(record.cron, record.timezone);
    return this.found(name, await this.store.resumeSchedule(name, (now) => nextTick(cron, now)));
  }

  /** Deletes the schedule; the runs it started are kept. @throws ScheduleNotFoundError */
  async delete(name: string): Promise<void> {
    this.assertOpen();
    validateName(name, "schedules.delete()");
    if (!(await this.store.deleteSchedule(name))) throw new ScheduleNotFoundError(name);
  }

  private async workflowName(workflow: WorkflowDefinition | string, where: string): Promise<string> {
    if (isWorkflowDefinition(workflow)) return workflow.name;
    if (typeof workflow !== "string") {
      throw new InvalidArgumentError(`${where}: workflow must be a workflow definition or the name of one; got ${workflow === null ? "null" : typeof workflow}.`);
    }
    return await this.knownWorkflow(workflow);
  }

  private found(name: string, record: ScheduleRecord | undefined): ScheduleInfo {
    if (!record) throw new ScheduleNotFoundError(name);
    return this.info(record);
  }

  private info(record: ScheduleRecord): ScheduleInfo {
    return {
      name: record.name,
      workflow: record.workflow,
      cron: record.cron,
      timezone: record.timezone,
      args: this.serializer.deserialize(record.input) as unknown[],
      catchUp: record.catchUp,
      runOptions: JSON.parse(record.options) as ScheduleRunOptions,
      paused: record.paused,
      nextAt: date(record.nextAt),
      lastAt: date(record.lastAt),
      createdAt: new Date(record.createdAt),
      updatedAt: new Date(record.updatedAt),
    };
  }
}

function validateName(name: unknown, where: string): void {
  if (typeof name !== "string" || !WORKFLOW_NAME.test(name)) {
    throw new InvalidArgumentError(
      `${where}: a schedule name must be 1 to 128 letters, digits or _ . : - / (starting with a letter or digit), e.g. "nightly-report"; got ${JSON.stringify(name) ?? typeof name}.`,
    );
  }
}

function validateTimezone(timezone: unknown, where: string): string {
  try {
    if (typeof timezone !== "string") throw new TypeError("not a string");
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return timezone;
  } catch {
    throw new InvalidArgumentError(`${where}: timezone must be an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC"; got ${JSON.stringify(timezone) ?? typeof timezone}.`);
  }
}

function validateCron(cron: unknown, timezone: string, where: string) {
  const example = `Give 5 fields (minute hour day-of-month month day-of-week), e.g. "0 9 * * 1-5" for 9:00 on weekdays, or 6 with seconds first, e.g. "*/10 * * * * *".`;
  if (typeof cron !== "string") throw new InvalidArgumentError(`${where}: cron must be a string. ${example} Got ${typeof cron}.`);
  let parsed;
  try {
    parsed = parseCron(cron, timezone);
  } catch (error) {
    throw new InvalidArgumentError(`${where}: cron ${JSON.stringify(cron)} is not a valid cron expression (${(error as Error).message}). ${example}`);
  }
  if (nextTick(parsed, Date.now()) === null) {
    throw new InvalidArgumentError(`${where}: cron ${JSON.stringify(cron)} never fires (no such date). ${example}`);
  }
  return parsed;
}
