import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { EndureError } from "../api/errors.js";
import { toJsonValue } from "../client/json-view.js";
import type { Logger } from "../worker/logger.js";
import { MalformedJsonError, UnsupportedMediaTypeError } from "./errors.js";

/** The one map from an error's code to the HTTP status that answers it. */
const STATUS_BY_CODE: Readonly<Record<string, ContentfulStatusCode>> = {
  INVALID_ARGUMENT: 400,
  UNSERIALIZABLE: 400,
  INVALID_REQUEST: 400,
  MALFORMED_JSON: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RUN_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METRICS_NOT_ENABLED: 404,
  METHOD_NOT_ALLOWED: 405,
  RUN_FINISHED: 409,
  RUN_NOT_RETRYABLE: 409,
  BODY_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // The route exists; the body names a workflow or queue that no worker serves.
  UNKNOWN_WORKFLOW: 422,
  UNKNOWN_QUEUE: 422,
  INVALID_EVENT_PAYLOAD: 422,
  // ---- event log ----
  EVENT_NOT_FOUND: 404,
  UNKNOWN_TRIGGER: 400,
  WEBHOOK_NOT_FOUND: 404,
  INVALID_SIGNATURE: 401,
  INVALID_WEBHOOK_REQUEST: 400,
  // ----
  STORE_UNAVAILABLE: 503,
  STORE_ACCESS_DENIED: 503,
  CLOSED: 503,
};

/**
 * The JSON answer to an error: `{ error: { code, message, ...fields } }` with the status of its
 * code. An error the map does not know is a bug or an outage: it is logged, and the client gets a
 * generic 500 without its details.
 */
export function errorResponse(thrown: unknown, c: Context, logger: Logger): Response {
  const error = fromHono(thrown, c);
  const status = error instanceof EndureError ? STATUS_BY_CODE[error.code] : undefined;
  if (error instanceof EndureError && status !== undefined) {
    if (error.code === "UNAUTHORIZED") c.header("WWW-Authenticate", 'Bearer realm="endure"');
    if (status >= 500) logger.warn(`${c.req.method} ${c.req.path} answered ${status}: ${error.message}`, { code: error.code });
    return c.json({ error: { code: error.code, message: error.message, ...fieldsOf(error) } }, status);
  }
  logger.error(`${c.req.method} ${c.req.path} failed`, { error });
  return c.json(
    { error: { code: "INTERNAL", message: `The server failed to handle ${c.req.method} ${c.req.path}; the error is in its log. Try again, or report it.` } },
    500,
  );
}

/** Hono's own rejections, from the JSON validator, as the named errors of this API. */
function fromHono(error: unknown, c: Context): unknown {
  if (!(error instanceof HTTPException)) return error;
  if (error.status === 400) return new MalformedJsonError();
  if (error.status === 415) return new UnsupportedMediaTypeError(c.req.header("Content-Type"));
  return error;
}

/** The error's structured fields (run id, limit, issues...), as JSON; never its stack or cause. */
function fieldsOf(error: EndureError): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== "code" && key !== "message" && key !== "name" && key !== "cause" && key !== "stack") fields[key] = toJsonValue(value);
  }
  return fields;
}
