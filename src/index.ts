// The public API of Endure: a reviewed list of named exports.
export { workflow, isWorkflowDefinition } from "./api/workflow.js";
export type { WorkflowDefinition, WorkflowOptions } from "./api/workflow.js";
export { step } from "./api/step.js";
export type { RetryPolicy, StepOptions } from "./api/step.js";
export { steps } from "./api/steps.js";
export { transaction } from "./api/transaction.js";
export type { Transaction, SqlDialect, SqlRow } from "./api/transaction-types.js";
export type { Steps } from "./api/steps.js";
export { sleep } from "./api/sleep.js";
export { waitForEvent } from "./api/wait-for-event.js";
export type { WaitForEventOptions } from "./api/wait-for-event.js";
export { now, uuid, random } from "./api/deterministic.js";
export { child } from "./api/child.js";
export type { ChildOptions } from "./api/child.js";
export { publish } from "./api/publish.js";
export { patched, deprecatePatch } from "./api/patched.js";
export { continueAsNew } from "./api/continue-as-new.js";
export { stepContext } from "./api/step-context.js";
export type { StepContext } from "./api/step-context.js";
export type { Duration } from "./api/duration.js";
export {
  EndureError,
  NonRetryableError,
  TimeoutError,
  CancelledError,
  RunTimeoutError,
  NonDeterminismError,
  RunFailedError,
  InvalidArgumentError,
  NotInWorkflowError,
  UnknownWorkflowError,
  RunNotFoundError,
  RunFinishedError,
  ClosedError,
  SerializationError,
  PayloadTooLargeError,
  CrashLoopError,
  StoreUnavailableError,
  StoreAccessError,
  TransactionMisuseError,
  // ---- retry and fork ----
  RunNotRetryableError,
  // ---- schedules ----
  ScheduleNotFoundError,
} from "./api/errors.js";
export { Endure } from "./client/endure.js";
export type { StartOptions } from "./api/run-options.js";
export type { EndureOptions, SendOptions, ListOptions, RunList, RunHandle } from "./client/endure.js";
export type { RunInfo, RunSummary, JournalEntryInfo } from "./client/run-info.js";
// ---- retry and fork ----
export type { ReplacedEntries } from "./client/run-info.js";
export type { RetryAllFilter, ForkOptions } from "./client/retry-fork.js";
export { Worker } from "./worker/worker.js";
export type { WorkerOptions } from "./worker/worker.js";
export type { Logger } from "./worker/logger.js";
export { SqliteStore } from "./store/sqlite/sqlite-store.js";
export type { SqliteStoreOptions } from "./store/sqlite/sqlite-store.js";
export { PostgresStore } from "./store/postgres/postgres-store.js";
export type { PostgresStoreOptions } from "./store/postgres/postgres-store.js";
export type { Store, RunStatus, RunRecord, JournalEntry, RunCommit } from "./store/store.js";
// ---- saga and typed events ----
export { saga } from "./api/saga.js";
export type { Compensate } from "./api/saga.js";
export { defineEvent } from "./api/event.js";
export type { EventDefinition, EventOptions } from "./api/event.js";
export { CompensationFailedError, InvalidEventPayloadError } from "./api/errors.js";
export type { PayloadIssue } from "./api/errors.js";
// ---- queues ----
export { queue } from "./api/queue.js";
export type { QueueDefinition, QueueOptions } from "./api/queue.js";
export { UnknownQueueError } from "./api/errors.js";
export type { QueueInfo } from "./client/queue-info.js";
// ---- schedules ----
export type { Schedules, ScheduleDefinition, ScheduleInfo } from "./client/schedules.js";
export type { CatchUpPolicy } from "./store/schedule-store.js";
// ---- observability ----
export { pinoLogger } from "./observability/pino-logger.js";
export { createMetrics } from "./observability/metrics.js";
export type { Metrics, MetricsOptions } from "./observability/metrics.js";
export type { RunObserver, RunObservation, StepObservation, ObservedRun, ObservedStep, RunEnd, StepEnd } from "./engine/observer.js";
// ---- operations: why is it stuck?, workers, counts ----
export type { Diagnosis, DiagnosisReason } from "./client/diagnosis.js";
// ---- version pinning ----
export type { RetryOptions } from "./client/retry-fork.js";
export type { WorkerInfo } from "./client/worker-info.js";
// ---- server ----
export { createApp, startServer } from "./server/server.js";
export type { ServerOptions, MetricsSource } from "./server/server.js";
export { TokenRequiredError, AddressInUseError } from "./server/errors.js";
export type { StartedRun } from "./client/endure.js";
// ---- replay check and versioned changes ----
export { checkReplay, patchUsage } from "./client/replay.js";
export type { ReplayReport, PatchUsage, WorkflowSet } from "./client/replay.js";
export type { ReplayDivergence } from "./engine/replay-run.js";
export { parseRunExport, RUN_EXPORT_FORMAT } from "./client/run-export.js";
export type { RunExport } from "./client/run-export.js";
export { UNFINISHED_STATUSES } from "./client/recorded-runs.js";
export type { RecordedRunFilter } from "./client/recorded-runs.js";
export { InvalidRunExportError } from "./api/errors.js";
// ---- event log: triggers, webhooks, subscriptions ----
export { trigger } from "./api/trigger.js";
export type { TriggerDefinition, TriggerOptions, AnyTrigger } from "./api/trigger.js";
export { webhook } from "./api/webhook.js";
export type { WebhookDefinition, WebhookOptions, WebhookSignature } from "./api/webhook.js";
export type { LoggedEvent } from "./api/logged-event.js";
export { subscribe } from "./api/subscribe.js";
export type { Subscription, SubscribeOptions, NextEventOptions } from "./api/subscribe.js";
// ---- event log: client ----
export { EventNotFoundError, UnknownTriggerError } from "./api/errors.js";
export type { EventLog, EmitOptions, EventQuery, RedispatchOptions } from "./client/event-log.js";
export type { EmittedEvent, EventInfo, EventList, RedispatchedEvent, TriggerInfo, WebhookInfo } from "./client/event-info.js";
