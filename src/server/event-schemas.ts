import { z } from "@hono/zod-openapi";
import { runSummary } from "./schemas.js";

// The shapes of the event log's routes (see event-routes.ts). As in schemas.ts: types here, the
// rules on values (type, key and source formats, limits) in the client.

const eventShape = {
  seq: z.number().int(),
  type: z.string(),
  source: z.string(),
  payload: z.unknown(),
  headers: z.record(z.string(), z.string()),
  key: z.string().nullable(),
  receivedAt: z.string(),
  redispatchOf: z.number().int().nullable(),
};

export const loggedEventSchema = z.object(eventShape).openapi("LoggedEvent");

export const emitEventBody = z
  .strictObject({
    type: z.string().openapi({ example: "order.paid" }),
    payload: z.unknown().optional().openapi({ example: { order: "o-7", amount: 42 } }),
    key: z.string().optional().openapi({ description: "Deduplication key: a second event with the same key is not recorded." }),
    source: z.string().optional().openapi({ description: 'Where it comes from (default "api").' }),
  })
  .openapi("EmitEvent");

export const emittedEvent = z.object({ ...eventShape, duplicate: z.boolean() }).openapi("EmittedEvent");

export const listEventsQuery = z.object({
  type: z.string().optional().openapi({ param: { name: "type", in: "query" } }),
  source: z.string().optional().openapi({ param: { name: "source", in: "query" }, example: "webhook:github" }),
  limit: z.coerce.number().int().optional().openapi({ param: { name: "limit", in: "query" }, type: "integer", description: "1 to 1000 (default 50)." }),
  cursor: z.string().optional().openapi({ param: { name: "cursor", in: "query" }, description: "nextCursor of the previous page." }),
});

export const eventList = z.object({ events: z.array(loggedEventSchema), nextCursor: z.string().nullable() }).openapi("EventList");

export const seqParam = z.object({
  seq: z.coerce.number().int().min(1).openapi({ param: { name: "seq", in: "path" }, type: "integer", example: 42, description: "The event's sequence number." }),
});

const target = z.string().nullable().openapi({ description: "On a copy re-dispatched to one trigger: that trigger." });

export const eventDetail = z.object({ ...eventShape, target, runs: z.array(runSummary) }).openapi("Event");

export const redispatchBody = z
  .strictObject({ trigger: z.string().optional().openapi({ description: "Only this trigger acts on the copy (default: every trigger of its type)." }) })
  .openapi("Redispatch");

export const redispatchedEvent = z.object({ ...eventShape, target }).openapi("RedispatchedEvent");

export const triggerList = z
  .object({
    triggers: z.array(
      z.object({ name: z.string(), eventType: z.string(), workflow: z.string(), cursor: z.number(), head: z.number(), createdAt: z.string(), updatedAt: z.string() }),
    ),
  })
  .openapi("TriggerList");

export const webhookList = z
  .object({
    webhooks: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        typeHeader: z.string().nullable(),
        signed: z.boolean(),
        signatureHeader: z.string().nullable(),
        deliveryHeader: z.string().nullable(),
        headers: z.array(z.string()),
        updatedAt: z.string(),
      }),
    ),
  })
  .openapi("WebhookList");
