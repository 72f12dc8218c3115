import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { EndureError, StoreUnavailableError } from "../api/errors.js";
import type { Endure } from "../client/endure.js";
import type { Logger } from "../worker/logger.js";
import { MetricsNotEnabledError } from "./errors.js";
import { errorResponses, jsonResponse } from "./responses.js";
import { health, queueList, workflowList } from "./schemas.js";
import type { MetricsSource } from "./server.js";

// The routes about the service itself: health, metrics, what workers serve, and this API's description.

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  summary: "Whether the store answers",
  responses: { 200: jsonResponse(health, "The store answered"), ...errorResponses(401, 403, 503) },
});

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  summary: "Prometheus metrics: runs started, completed and failed, step latency, queue depth",
  responses: {
    200: { description: "The metrics, in Prometheus' text format", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(401, 403, 404),
  },
});

const workflowsRoute = createRoute({
  method: "get",
  path: "/api/workflows",
  summary: "The workflows that workers of the store serve",
  responses: { 200: jsonResponse(workflowList, "Their names, sorted"), ...errorResponses(401, 403, 503) },
});

const queuesRoute = createRoute({
  method: "get",
  path: "/api/queues",
  summary: "Every registered queue: its limits, and how many runs wait in it and hold a slot now",
  responses: { 200: jsonResponse(queueList, "The queues"), ...errorResponses(401, 403, 503) },
});

const openApiRoute = createRoute({
  method: "get",
  path: "/api/openapi.json",
  summary: "This API's OpenAPI 3.1 document",
  responses: { 200: jsonResponse(z.looseObject({ openapi: z.string() }), "The document"), ...errorResponses(401, 403) },
});

export function addServiceRoutes(app: OpenAPIHono, { endure, metrics, logger }: { endure: Endure; metrics?: MetricsSource; logger: Logger }): void {
  app.openapi(healthRoute, async (c) => {
    try {
      await endure.list({ limit: 1 });
    } catch (error) {
      if (error instanceof EndureError) throw new StoreUnavailableError(`The store did not answer a health check: ${error.message}`);
      logger.error("Health check: the store did not answer", { error });
      throw new StoreUnavailableError("The store did not answer a health check; the error is in the server's log.");
    }
    return c.json({ status: "ok" as const }, 200);
  });

  app.openapi(metricsRoute, async (c) => {
    if (!metrics) throw new MetricsNotEnabledError();
    return c.text(await metrics.metrics(), 200, { "Content-Type": metrics.contentType });
  });

  app.openapi(workflowsRoute, async (c) => c.json({ workflows: await endure.workflows() }, 200));

  app.openapi(queuesRoute, async (c) => c.json({ queues: await endure.queues() }, 200));

  let document: unknown;
  app.openapi(openApiRoute, (c) => {
    document ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "Endure HTTP API", version: "1", description: "Start, read, signal, cancel and retry durable workflow runs." },
      security: [{ bearerAuth: [] }],
    });
    return c.json(document as { openapi: string }, 200);
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "Required when the server was started with a token (always when it listens beyond loopback).",
  });
}
