import { z } from "@hono/zod-openapi";
import { STATUSES } from "../client/endure.js";

// The shapes of the HTTP API: each schema checks a request and describes it in the OpenAPI document.
// Types are checked here; the rules on values (id lengths, durations, tag counts) stay in the client,
// which the routes call, so both speak with one voice.

const duration = z.union([z.number(), z.string()]).openapi({ description: 'Milliseconds, or a string such as "90s" or "3 days".' });

const runStatus = z.enum(STATUSES as [(typeof STATUSES)[number], ...(typeof STATUSES)[number][]]).openapi("RunStatus");

export const startRunBody = z
  .strictObject({
    workflow: z.string().openapi({ description: "The name of a workflow a worker serves.", example: "transfer" }),
    args: z.array(z.unknown()).optional().openapi({ description: "The workflow's arguments (default []).", example: ["alice", "bob", 10] }),
    id: z.string().optional().openapi({ description: "The run's id and idempotency key; an existing id returns that run.", example: "transfer-42" }),
    tags: z.array(z.string()).optional(),
    timeout: duration.optional(),
    delay: duration.optional(),
    queue: z.string().optional(),
    priority: z.number().optional(),
    concurrencyKey: z.string().optional(),
  })
  .openapi("StartRun");

export const startedRun = z
  .object({
    id: z.string(),
    status: runStatus,
    created: z.boolean().openapi({ description: "False when the id named a run that already existed." }),
  })
  .openapi("StartedRun");

export const runIdParam = z.object({
  id: z.string().openapi({
    param: { name: "id", in: "path" },
    description: "The run id, percent-encoded (a child run `parent/3` is `parent%2F3`).",
    example: "transfer-42",
  }),
});

const oneOrMore = z.union([z.string(), z.array(z.string())]).transform((value) => (typeof value === "string" ? [value] : value));

export const listRunsQuery = z.object({
  status: runStatus.optional().openapi({ param: { name: "status", in: "query" } }),
  workflow: z.string().optional().openapi({ param: { name: "workflow", in: "query" } }),
  tag: oneOrMore.optional().openapi({
    param: { name: "tag", in: "query", style: "form", explode: true },
    type: "array",
    items: { type: "string" },
    description: "Repeat for several tags: only runs that have all of them.",
  }),
  limit: z.coerce.number().int().optional().openapi({ param: { name: "limit", in: "query" }, type: "integer", description: "1 to 1000 (default 50)." }),
  cursor: z.string().optional().openapi({ param: { name: "cursor", in: "query" }, description: "nextCursor of the previous page." }),
});

// Runs hold any value the journal keeps; the API shows them as plain JSON (dates as ISO strings).
const runSummaryShape = {
  id: z.string(),
  workflow: z.string(),
  status: runStatus,
  input: z.array(z.unknown()),
  output: z.unknown().optional(),
  error: z.looseObject({ name: z.string(), message: z.string(), code: z.string().optional() }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  wakeAt: z.string().nullable(),
  waitingFor: z.array(z.string()),
  cancelRequested: z.boolean(),
  owner: z.string().nullable(),
  tags: z.array(z.string()),
  timeoutMs: z.number().nullable(),
  queue: z.string().nullable(),
  concurrencyKey: z.string().nullable(),
  priority: z.number(),
  parentId: z.string().nullable(),
  continuedFrom: z.string().nullable(),
  continuedTo: z.string().nullable(),
  forkedFrom: z.string().nullable(),
  retries: z.number(),
  version: z.string().nullable().openapi({ description: "The version of the workers' code the run is pinned to (null: not pinned)" }),
};

export const runSummary = z.looseObject(runSummaryShape).openapi("RunSummary");

const journalEntry = z
  .looseObject({
    position: z.number(),
    kind: z.string(),
    name: z.string(),
    status: z.string(),
    attempts: z.number(),
    output: z.unknown().optional(),
    error: z.looseObject({ name: z.string(), message: z.string() }).optional(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    wakeAt: z.string().nullable(),
  })
  .openapi("JournalEntry");

const diagnosis = z
  .object({
    summary: z.string(),
    reason: z.string(),
    since: z.string().nullable(),
    until: z.string().nullable(),
  })
  .openapi("Diagnosis", { description: "What a run that has not completed is doing, or why it is not moving, in words" });

export const runDetail = z
  .looseObject({
    ...runSummaryShape,
    journal: z.array(journalEntry),
    values: z.record(z.string(), z.unknown()),
    history: z.array(z.object({ retry: z.number(), entries: z.array(journalEntry) })),
    diagnosis: diagnosis.nullable(),
  })
  .openapi("Run");

export const runList = z
  .object({ runs: z.array(runSummary), nextCursor: z.string().nullable() })
  .openapi("RunList");

export const sendEventBody = z
  .strictObject({
    name: z.string().openapi({ example: "approval" }),
    payload: z.unknown().optional().openapi({ example: { approved: true } }),
    key: z.string().optional().openapi({ description: "Delivery key: the same key sent again is dropped." }),
  })
  .openapi("SendEvent");

export const sendEventResult = z.object({ duplicate: z.boolean() }).openapi("EventSent");

// ---- version pinning ----
export const retryBody = z
  .strictObject({
    version: z.string().optional().openapi({ example: "2026-11-26.2", description: "Re-pins the run to this version of the workers' code." }),
  })
  .openapi("RetryOptions");

export const runStatusResult = z.object({ status: runStatus }).openapi("RunStatusResult");

export const workflowList = z.object({ workflows: z.array(z.string()) }).openapi("WorkflowList");

export const queueList = z
  .object({
    queues: z.array(
      z.object({
        name: z.string(),
        concurrency: z.number().nullable(),
        keyConcurrency: z.number().nullable(),
        rateLimit: z.object({ limit: z.number(), periodMs: z.number() }).nullable(),
        queued: z.number(),
        active: z.number(),
      }),
    ),
  })
  .openapi("QueueList");

export const health = z.object({ status: z.literal("ok") }).openapi("Health");

export const errorBody = z
  .object({
    error: z.looseObject({
      code: z.string().openapi({ example: "RUN_NOT_FOUND" }),
      message: z.string(),
    }),
  })
  .openapi("Error");
