import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { EventNotFoundError } from "../api/errors.js";
import type { Endure } from "../client/endure.js";
import { asJson, errorResponses, jsonBody, jsonResponse } from "./responses.js";
import {
  emitEventBody,
  emittedEvent,
  eventDetail,
  eventList,
  listEventsQuery,
  redispatchBody,
  redispatchedEvent,
  seqParam,
  triggerList,
  webhookList,
} from "./event-schemas.js";

// The routes of the event log: each a thin call of `endure.emit()` or `endure.events`.

const emitEvent = createRoute({
  method: "post",
  path: "/api/events",
  summary: "Record an event in the event log: the triggers of its type start runs for it",
  request: { body: jsonBody(emitEventBody) },
  responses: {
    201: jsonResponse(emittedEvent, "The event was recorded"),
    200: jsonResponse(emittedEvent, "An event with this key was recorded before: it is returned, and nothing new was recorded"),
    ...errorResponses(400, 401, 403, 413, 415, 503),
  },
});

const listEvents = createRoute({
  method: "get",
  path: "/api/events",
  summary: "List events, newest first, a page at a time",
  request: { query: listEventsQuery },
  responses: { 200: jsonResponse(eventList, "A page of events"), ...errorResponses(400, 401, 403, 503) },
});

const getEvent = createRoute({
  method: "get",
  path: "/api/events/{seq}",
  summary: "An event with the runs its triggers started",
  request: { params: seqParam },
  responses: { 200: jsonResponse(eventDetail, "The event"), ...errorResponses(400, 401, 403, 404, 503) },
});

const redispatchEvent = createRoute({
  method: "post",
  path: "/api/events/{seq}/redispatch",
  summary: "Append a copy of an event, so that its triggers (or the one named) start new runs for it",
  request: { params: seqParam, body: { ...jsonBody(redispatchBody), required: false } },
  responses: { 201: jsonResponse(redispatchedEvent, "The copy appended to the log"), ...errorResponses(400, 401, 403, 404, 415, 503) },
});

const listTriggers = createRoute({
  method: "get",
  path: "/api/triggers",
  summary: "The triggers workers registered, with how far each has dispatched the log",
  responses: { 200: jsonResponse(triggerList, "The triggers, by name"), ...errorResponses(401, 403, 503) },
});

const listWebhooks = createRoute({
  method: "get",
  path: "/api/webhooks",
  summary: "The webhooks workers registered (POST /webhooks/{name}), without their secrets",
  responses: { 200: jsonResponse(webhookList, "The webhooks, by name"), ...errorResponses(401, 403, 503) },
});

export function addEventRoutes(app: OpenAPIHono, endure: Endure): void {
  app.openapi(emitEvent, async (c) => {
    const { type, payload, key, source = "api" } = c.req.valid("json");
    const event = await endure.emit(type, payload, { key, source });
    if (event.duplicate) return c.json(asJson<typeof emittedEvent>(event), 200);
    c.header("Location", `/api/events/${event.seq}`);
    return c.json(asJson<typeof emittedEvent>(event), 201);
  });

  app.openapi(listEvents, async (c) => c.json(asJson<typeof eventList>(await endure.events.list(c.req.valid("query"))), 200));

  app.openapi(getEvent, async (c) => {
    const { seq } = c.req.valid("param");
    const event = await endure.events.get(seq);
    if (!event) throw new EventNotFoundError(seq);
    return c.json(asJson<typeof eventDetail>(event), 200);
  });

  app.openapi(redispatchEvent, async (c) => {
    const copy = await endure.events.redispatch(c.req.valid("param").seq, c.req.valid("json"));
    c.header("Location", `/api/events/${copy.seq}`);
    return c.json(asJson<typeof redispatchedEvent>(copy), 201);
  });

  app.openapi(listTriggers, async (c) => c.json(asJson<typeof triggerList>({ triggers: await endure.events.triggers() }), 200));

  app.openapi(listWebhooks, async (c) => c.json(asJson<typeof webhookList>({ webhooks: await endure.events.webhooks() }), 200));
}
