import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono } from "hono";
import type { BlankEnv } from "hono/types";
import { cors } from "hono/cors";
import { InvalidArgumentError } from "../api/errors.js";
import type { Endure } from "../client/endure.js";
import { consoleLogger, type Logger } from "../worker/logger.js";
import { isLoopback, requireToken } from "./auth.js";
import { errorResponse } from "./error-response.js";
import { bodyLimit } from "./body-limit.js";
import { AddressInUseError, RequestValidationError, TokenRequiredError } from "./errors.js";
import { notFoundHandler } from "./not-found.js";
import { sameMachineOnly } from "./same-machine.js";
import { addRunRoutes } from "./run-routes.js";
import { addServiceRoutes } from "./service-routes.js";
import { addEventRoutes } from "./event-routes.js";
import { addWebhookRoutes, WEBHOOK_PATH } from "./webhook-routes.js";

/** Where `GET /metrics` gets its text: a prom-client `Registry` fits. */
export interface MetricsSource {
  /** The Content-Type of the text, e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  contentType: string;
  metrics(): Promise<string>;
}

export interface ServerOptions {
  /** The client every route calls: all data access goes through it. */
  endure: Endure;
  /** The address to listen on (default `127.0.0.1`). Any address beyond loopback requires `token`. */
  host?: string;
  /** Default 7070; 0 picks a free port (see the `url` startServer returns). */
  port?: number;
  /**
   * The API token: every request must send `Authorization: Bearer <token>`. Required when `host`
   * is not a loopback address (127.0.0.0/8, ::1, localhost).
   */
  token?: string;
  /** Origins allowed to call the API from a browser (e.g. `https://ops.example.com`). Default: no CORS headers at all. */
  cors?: readonly string[];
  /** The largest request body taken, in bytes (default 1 MiB + 64 KiB: the client's payload limit and room for the rest). */
  bodyLimit?: number;
  /** Served at `GET /metrics`; without it that route answers 404. */
  metrics?: MetricsSource;
  /** Where server errors are reported (default: warnings and errors on stderr). */
  logger?: Logger;
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 7070;
const DEFAULT_BODY_LIMIT = 1024 * 1024 + 64 * 1024;

/** The place of a zod issue, as the request names it: `body.args`, `query.limit`, `path.id`. */
const TARGET_NAMES: Readonly<Record<string, string>> = { json: "body", query: "query", param: "path" };

/**
 * The HTTP API as a Hono app, without a socket: for tests (`app.request()`), or to mount more
 * routes (a dashboard) before serving it. Every route is described at `GET /api/openapi.json`;
 * the routes and their errors are listed in docs/http-api.md.
 *
 * @example
 * ```ts
 * const app = createApp({ endure });
 * const response = await app.request("/api/runs?status=failed");
 * ```
 */
export function createApp(options: ServerOptions): Hono {
  const logger = options.logger ?? consoleLogger;
  const limit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError(`bodyLimit must be a whole number of bytes, at least 1; got ${String(options.bodyLimit)}.`);
  }
  if (options.token !== undefined && (typeof options.token !== "string" || !/^\S+$/.test(options.token))) {
    throw new InvalidArgumentError("token must be a non-empty string without spaces (it is sent as \"Authorization: Bearer <token>\").");
  }

  // Run ids travel percent-encoded in paths: Hono routes on the path decoded with decodeURI, which
  // keeps %2F (and %25, %3F, %23) encoded, so `parent%2F3` stays one segment, and decodes each path
  // parameter once. test/server/bad-input.test.ts pins this with ids like "a/b" and "x%2Fy".
  const app = new OpenAPIHono<BlankEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const where = TARGET_NAMES[result.target] ?? result.target;
      throw new RequestValidationError(
        result.error.issues.map((issue) => ({ path: [where, ...issue.path.map(String)].join("."), message: issue.message })),
      );
    },
  });
  app.onError((error, c) => errorResponse(error, c, logger));
  app.notFound(notFoundHandler(app, logger));

  // CORS first: a browser's preflight carries no token.
  if (options.cors && options.cors.length > 0) {
    app.use("*", cors({ origin: [...options.cors], allowMethods: ["GET", "POST"], maxAge: 600 }));
  }
  const authenticate = options.token === undefined ? sameMachineOnly(options.cors ?? []) : requireToken(options.token);
  // ---- event log: webhooks ----
  // A webhook's route authenticates its request itself: by its signature, else as here.
  app.use("*", (c, next) => (c.req.method === "POST" && c.req.path.startsWith(WEBHOOK_PATH) ? next() : authenticate(c, next)));
  app.use("*", bodyLimit(limit));

  addServiceRoutes(app, { endure: options.endure, metrics: options.metrics, logger });
  addRunRoutes(app, options.endure);
  // ---- event log ----
  addEventRoutes(app, options.endure);
  addWebhookRoutes(app, options.endure, authenticate);
  return app;
}

/**
 * Serves the HTTP API until `close()`. By default it listens on 127.0.0.1:7070, reachable from this
 * machine only; to listen on any other address pass a `token`, or it refuses to start.
 *
 * @example
 * ```ts
 * const server = await startServer({ endure, port: 0 });
 * const response = await fetch(`${server.url}/api/runs`, {
 *   method: "POST",
 *   headers: { "Content-Type": "application/json" },
 *   body: JSON.stringify({ workflow: "transfer", args: ["alice", "bob", 10] }),
 * });
 * await server.close();
 * ```
 * @throws TokenRequiredError when `host` is beyond loopback and there is no token; AddressInUseError
 * when another process listens on the port.
 */
export async function startServer(options: ServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`port must be a whole number from 0 to 65535 (0 picks a free port); got ${String(options.port)}.`);
  }
  if (options.token === undefined && !isLoopback(host)) throw new TokenRequiredError(host);
  const app = createApp(options);
  // Hono's Node adapter would replace the process's global Request and Response: not in a library.
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(error.code === "EADDRINUSE" ? new AddressInUseError(host, port) : error));
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;
  (options.logger ?? consoleLogger).info(`Endure HTTP API listening on ${url}`, { url });
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeIdleConnections" in server) server.closeIdleConnections();
      }),
  };
}
