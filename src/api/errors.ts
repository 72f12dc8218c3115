/**
 * Every error Endure raises is an {@link EndureError} with a stable string `code`, so callers can
 * branch on `error.code` instead of parsing messages. Messages say what happened, where, and what
 * to do about it.
 */
export class EndureError extends Error {
  /** A stable, machine-readable identifier of the failure, e.g. `"NON_DETERMINISM"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Names registered in the store, for a message about one that is not: `"a", "b"`, or `none yet`. */
export function knownList(known: readonly string[]): string {
  return known.length > 0 ? known.map((name) => `"${name}"`).join(", ") : "none yet";
}

/**
 * Throw from a step to fail it at once, without further retries.
 *
 * @example
 * ```ts
 * const charge = step("charge", async (card: string) => {
 *   if (!isValid(card)) throw new NonRetryableError(`card ${card} is invalid`);
 * });
 * ```
 */
export class NonRetryableError extends EndureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("NON_RETRYABLE", message, options);
  }
}

/** A step attempt ran longer than its `timeout`; its `stepContext().signal` was aborted. */
export class TimeoutError extends EndureError {
  constructor(message: string, code = "STEP_TIMEOUT") {
    super(code, message);
  }
}

/**
 * The run was cancelled. Thrown into the workflow at its next durable call, so `try/finally` can
 * clean up; `result()` of a cancelled run rejects with it.
 */
export class CancelledError extends EndureError {
  constructor(message: string, code = "CANCELLED") {
    super(code, message);
  }
}

/**
 * The run's `timeout` (a start option) passed before it finished. It is cancelled with this error,
 * delivered as `cancel()`'s is, so `finally` blocks and compensations run; it ends `cancelled`.
 */
export class RunTimeoutError extends CancelledError {
  constructor(message: string) {
    super(message, "RUN_TIMEOUT");
  }
}

/** Where a replayed workflow stopped matching its journal. */
export interface Divergence {
  runId: string;
  position: number;
  /** What the journal recorded at `position`, e.g. `step "withdraw"`; `nothing` when it ends there. */
  expected: string;
  /** What the code did at `position`, e.g. `step "deposit"`. */
  actual: string;
}

/**
 * Replaying a run, the code made a different durable call than the journal recorded. The run is
 * `blocked`, its journal untouched; deploy code that matches the journal to let it go on.
 */
export class NonDeterminismError extends EndureError {
  readonly runId: string;
  readonly position: number;
  readonly expected: string;
  readonly actual: string;

  constructor(divergence: Divergence) {
    super(
      "NON_DETERMINISM",
      `Run "${divergence.runId}" no longer matches its journal at position ${divergence.position}: ` +
        `the journal recorded ${divergence.expected}, but the code now does ${divergence.actual}. ` +
        `The workflow code changed while this run was in flight; the run is blocked and its journal kept. ` +
        `Deploy code that makes the same durable calls in the same order for this run (put the change behind patched()), ` +
        `then retry the run; or cancel it. "endure replay" finds such runs before a deploy.`,
    );
    this.runId = divergence.runId;
    this.position = divergence.position;
    this.expected = divergence.expected;
    this.actual = divergence.actual;
  }
}

/** `result()` of a run that failed; `cause` is the error that failed it (usually a step's error). */
export class RunFailedError extends EndureError {
  readonly runId: string;

  constructor(runId: string, cause: unknown) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super("RUN_FAILED", `Run "${runId}" failed: ${reason}`, { cause });
    this.runId = runId;
  }
}

/** An argument passed to Endure is not valid; nothing was written. */
export class InvalidArgumentError extends EndureError {
  constructor(message: string) {
    super("INVALID_ARGUMENT", message);
  }
}

/** A durable call (`sleep`, `waitForEvent`, `now`, ...) was made where it cannot be journaled. */
export class NotInWorkflowError extends EndureError {
  constructor(message: string) {
    super("NOT_IN_WORKFLOW", message);
  }
}

/** No workflow of that name is known to this client or to any worker of the store. */
export class UnknownWorkflowError extends EndureError {
  readonly workflow: string;

  constructor(workflow: string, known: readonly string[]) {
    const list = knownList(known);
    super(
      "UNKNOWN_WORKFLOW",
      `No workflow named "${workflow}" is registered (known: ${list}). ` +
        `Pass the workflow definition instead of its name, or start a worker that serves "${workflow}".`,
    );
    this.workflow = workflow;
  }
}

/** No run has that id. */
export class RunNotFoundError extends EndureError {
  readonly runId: string;

  constructor(runId: string) {
    super("RUN_NOT_FOUND", `No run with id "${runId}" exists in this store. Check the id; list() (or "endure list", or GET /api/runs) shows the runs there are.`);
    this.runId = runId;
  }
}

/** The run has already finished, so it cannot take the request (for example an event). */
export class RunFinishedError extends EndureError {
  readonly runId: string;

  constructor(runId: string, status: string, request: string) {
    super("RUN_FINISHED", `Run "${runId}" is already ${status}, so it cannot ${request}.`);
    this.runId = runId;
  }
}

/** The client or store was used after `close()`. */
export class ClosedError extends EndureError {
  constructor(what: string) {
    super("CLOSED", `${what} was used after close(). Open a new one with Endure.open().`);
  }
}

/** A value cannot be written to the journal because the serializer cannot round-trip it. */
export class SerializationError extends EndureError {
  constructor(message: string) {
    super("UNSERIALIZABLE", message);
  }
}

/** A value is larger than the store's payload limit. */
export class PayloadTooLargeError extends EndureError {
  readonly bytes: number;
  readonly limit: number;

  constructor(what: string, bytes: number, limit: number) {
    super(
      "PAYLOAD_TOO_LARGE",
      `${what} is ${bytes} bytes once serialized, over the payload limit of ${limit} bytes. ` +
        `Store large data elsewhere and journal a reference to it, or raise payloadLimit.`,
    );
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The run's worker died while holding it too many times in a row; the run is failed. */
export class CrashLoopError extends EndureError {
  constructor(runId: string, lapses: number) {
    super(
      "WORKER_CRASH_LOOP",
      `Run "${runId}" was failed because its worker died ${lapses} times in a row while running it. ` +
        `Something in this run crashes the process (memory, a native module, process.exit); fix it and start a new run.`,
    );
  }
}

/**
 * The store's database cannot be reached right now (server down, network, connection lost). Nothing
 * was written by the failed call. Workers retry on their own; a client may retry the call later.
 */
export class StoreUnavailableError extends EndureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE_UNAVAILABLE", message, options);
  }
}

/** The store's database refused the connection: wrong credentials, a missing database, no permission. */
export class StoreAccessError extends EndureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("STORE_ACCESS_DENIED", message, options);
  }
}

/**
 * A transaction was used against its rules: a statement after the transaction ended (a `tx` kept
 * past its function), SQL that ends the transaction itself (`COMMIT`, `ROLLBACK`), or a call to the
 * store from inside one of the store's own transactions (on SQLite it would wait for itself forever).
 */
export class TransactionMisuseError extends EndureError {
  constructor(message: string) {
    super("TRANSACTION_MISUSE", message);
  }
}

/** Another worker took the run over; this worker must stop writing its journal. @internal */
export class LeaseLostError extends EndureError {
  constructor(runId: string) {
    super("LEASE_LOST", `This worker no longer holds run "${runId}"; another worker took it over.`);
  }
}

// ---- saga and typed events ----

/**
 * A `saga()` body failed and one or more of its compensations failed too, so the saga is only
 * partly undone. `cause` is the body's error; `failures` are the compensations' errors, in the
 * order they ran (every other compensation still ran).
 */
export class CompensationFailedError extends EndureError {
  /** The errors of the compensations that failed, in the order they ran. */
  readonly failures: unknown[];

  constructor(cause: unknown, failures: unknown[]) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    const list = failures.map((failure) => (failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure))).join("; ");
    super(
      "COMPENSATION_FAILED",
      `A saga failed (${reason}) and ${failures.length} of its compensations failed too (${list}), so its work is only partly undone. ` +
        `The other compensations ran; undo the rest by hand, and make compensations retry (a step's retry policy) until they succeed.`,
      { cause },
    );
    this.failures = failures;
  }
}

/** One reason a payload does not match an event's schema: where in the payload, and what is wrong. */
export interface PayloadIssue {
  /** Keys from the payload's root to the bad value; empty for the payload itself. */
  path: (string | number)[];
  message: string;
}

/** `send()` was given a payload its event's schema rejects; nothing was sent. */
export class InvalidEventPayloadError extends EndureError {
  readonly event: string;
  readonly issues: PayloadIssue[];

  constructor(event: string, issues: PayloadIssue[]) {
    const list = issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(payload)"}: ${issue.message}`).join("; ");
    super(
      "INVALID_EVENT_PAYLOAD",
      `The payload of event "${event}" does not match the event's schema: ${list}. Nothing was sent; fix the payload and send it again.`,
    );
    this.event = event;
    this.issues = issues;
  }
}

// ---- retry and fork ----

/** `retry()` was asked of a run that is not `failed` or `blocked`. */
export class RunNotRetryableError extends EndureError {
  readonly runId: string;
  readonly status: string;

  constructor(runId: string, status: string) {
    const advice = status === "completed" || status === "cancelled"
      ? "fork it to run it again from a position: fork(id, { fromPosition })"
      : "wait until it ends, or cancel it";
    super("RUN_NOT_RETRYABLE", `Run "${runId}" is ${status}; only failed or blocked runs can be retried. To run it again, ${advice}.`);
    this.runId = runId;
    this.status = status;
  }
}

// ---- queues ----

/** `start(..., { queue })` named a queue that no worker of the store has registered. Nothing was written. */
export class UnknownQueueError extends EndureError {
  readonly queue: string;

  constructor(queue: string, known: readonly string[]) {
    const list = knownList(known);
    super(
      "UNKNOWN_QUEUE",
      `No queue named "${queue}" is registered (known: ${list}). Define it with queue("${queue}", { ... }) and pass it ` +
        `to startWorker({ queues }) on a worker of this store before starting runs in it, or check the name.`,
    );
    this.queue = queue;
  }
}

// ---- event log ----

/** No event of the event log has that sequence number. */
export class EventNotFoundError extends EndureError {
  readonly seq: number;

  constructor(seq: number) {
    super("EVENT_NOT_FOUND", `No event with seq ${seq} exists in this store's event log. Check the number; events.list() (or "endure events", or GET /api/events) shows the events there are.`);
    this.seq = seq;
  }
}

/** A trigger name that no worker of the store has registered. Nothing was written. */
export class UnknownTriggerError extends EndureError {
  readonly trigger: string;

  constructor(trigger: string, known: readonly string[]) {
    const list = knownList(known);
    super(
      "UNKNOWN_TRIGGER",
      `No trigger named "${trigger}" is registered (known: ${list}). Workers register the triggers their workflow file exports; ` +
        `check the name, or start a worker whose file exports trigger("${trigger}", ...).`,
    );
    this.trigger = trigger;
  }
}

/** Every error class above, so the serializer restores them by name after a replay. */
export const ERROR_CLASSES: readonly (abstract new (...args: never[]) => Error)[] = [
  EndureError, NonRetryableError, TimeoutError, CancelledError, NonDeterminismError, RunFailedError,
  InvalidArgumentError, NotInWorkflowError, UnknownWorkflowError, RunNotFoundError, RunFinishedError,
  ClosedError, SerializationError, PayloadTooLargeError, CrashLoopError, LeaseLostError, StoreUnavailableError,
  StoreAccessError, TransactionMisuseError, RunTimeoutError,
  // ---- saga and typed events ----
  CompensationFailedError, InvalidEventPayloadError,
  // ---- retry and fork ----
  RunNotRetryableError,
  // ---- queues ----
  UnknownQueueError,
  // ---- event log ----
  EventNotFoundError, UnknownTriggerError,
];

// ---- schedules ----

/** No schedule has that name. */
export class ScheduleNotFoundError extends EndureError {
  readonly schedule: string;

  constructor(name: string) {
    super("SCHEDULE_NOT_FOUND", `No schedule named "${name}" exists in this store. Check the name, or list schedules with schedules.list().`);
    this.schedule = name;
  }
}

/** A file given as an exported run (`endure export`) is not one; nothing was replayed from it. */
export class InvalidRunExportError extends EndureError {
  constructor(source: string, problem: string) {
    super(
      "INVALID_RUN_EXPORT",
      `${source} is not a run exported by "endure export": ${problem}. Export the run again with "endure export <id> --out <file>".`,
    );
  }
}
