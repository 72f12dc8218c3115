import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Endure } from "../client/endure.js";
import { asJson, errorResponses, jsonBody, jsonResponse } from "./responses.js";
import {
  listRunsQuery,
  runDetail,
  runIdParam,
  runList,
  retryBody,
  runStatusResult,
  sendEventBody,
  sendEventResult,
  startedRun,
  startRunBody,
} from "./schemas.js";

// The routes on runs: each a thin call of the Endure client, whose errors the app's error handler answers.

const startRun = createRoute({
  method: "post",
  path: "/api/runs",
  summary: "Start a run, or find the run that has the given id",
  request: { body: jsonBody(startRunBody) },
  responses: {
    201: jsonResponse(startedRun, "The run was created"),
    200: jsonResponse(startedRun, "A run with this id existed (of the same workflow): it is returned untouched"),
    ...errorResponses(400, 401, 403, 413, 415, 422, 503),
  },
});

const listRuns = createRoute({
  method: "get",
  path: "/api/runs",
  summary: "List runs, newest first, a page at a time",
  request: { query: listRunsQuery },
  responses: { 200: jsonResponse(runList, "A page of runs"), ...errorResponses(400, 401, 403, 503) },
});

const getRun = createRoute({
  method: "get",
  path: "/api/runs/{id}",
  summary: "A run with its input, output or error, journal, published values and retry history",
  request: { params: runIdParam },
  responses: { 200: jsonResponse(runDetail, "The run"), ...errorResponses(400, 401, 403, 404, 503) },
});

const sendEvent = createRoute({
  method: "post",
  path: "/api/runs/{id}/events",
  summary: "Send an event to a run's inbox",
  request: { params: runIdParam, body: jsonBody(sendEventBody) },
  responses: {
    200: jsonResponse(sendEventResult, "The event is in the run's inbox (duplicate: an event with this key was sent before)"),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
  },
});

const cancelRun = createRoute({
  method: "post",
  path: "/api/runs/{id}/cancel",
  summary: "Cancel a run (a finished run is left as it is)",
  request: { params: runIdParam },
  responses: { 200: jsonResponse(runStatusResult, "The run's status right after the request"), ...errorResponses(400, 401, 403, 404, 503) },
});

const retryRun = createRoute({
  method: "post",
  path: "/api/runs/{id}/retry",
  summary: "Run a failed or blocked run again, optionally re-pinned to another version of the workers' code",
  request: { params: runIdParam, body: { ...jsonBody(retryBody), required: false } },
  responses: { 200: jsonResponse(runStatusResult, "The run's status after the request"), ...errorResponses(400, 401, 403, 404, 409, 503) },
});

export function addRunRoutes(app: OpenAPIHono, endure: Endure): void {
  app.openapi(startRun, async (c) => {
    const { workflow, args = [], ...options } = c.req.valid("json");
    const run = await endure.start(workflow, args, options);
    const body = { id: run.id, status: await run.status(), created: run.created };
    if (!run.created) return c.json(body, 200);
    c.header("Location", `/api/runs/${encodeURIComponent(run.id)}`);
    return c.json(body, 201);
  });

  app.openapi(listRuns, async (c) => {
    const { tag, ...filters } = c.req.valid("query");
    const page = await endure.list({ ...filters, tags: tag });
    return c.json(asJson<typeof runList>(page), 200);
  });

  app.openapi(getRun, async (c) => {
    const run = await endure.get(c.req.valid("param").id);
    return c.json(asJson<typeof runDetail>(run), 200);
  });

  app.openapi(sendEvent, async (c) => {
    const { name, payload, key } = c.req.valid("json");
    return c.json(await endure.send(c.req.valid("param").id, name, payload, { key }), 200);
  });

  app.openapi(cancelRun, async (c) => c.json({ status: await endure.cancel(c.req.valid("param").id) }, 200));

  app.openapi(retryRun, async (c) => c.json({ status: await endure.retry(c.req.valid("param").id, c.req.valid("json")) }, 200));
}
