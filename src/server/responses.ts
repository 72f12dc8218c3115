import type { z } from "@hono/zod-openapi";
import { toJsonValue } from "../client/json-view.js";
import { errorBody } from "./schemas.js";

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "Invalid input (INVALID_REQUEST, INVALID_ARGUMENT, MALFORMED_JSON, UNSERIALIZABLE)",
  401: "No token, or a wrong one (UNAUTHORIZED)",
  403: "A server without a token refuses requests addressed to another name than loopback, or from another site's page (FORBIDDEN)",
  404: "Not found",
  409: "The run's status does not allow it (RUN_FINISHED, RUN_NOT_RETRYABLE)",
  413: "The body is over the server's limit (BODY_TOO_LARGE) or a value over the payload limit (PAYLOAD_TOO_LARGE)",
  415: "The body is not declared as JSON (UNSUPPORTED_MEDIA_TYPE)",
  422: "The body names something no worker serves, or an event payload its schema rejects",
  503: "The store cannot be reached (STORE_UNAVAILABLE, CLOSED)",
};

/** The error responses of a route, for the OpenAPI document: each one the `Error` schema. */
export function errorResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: ERROR_DESCRIPTIONS[status] ?? "Error", content: { "application/json": { schema: errorBody } } }]),
  ) as Record<S, { description: string; content: { "application/json": { schema: typeof errorBody } } }>;
}

/** A JSON success response, for the OpenAPI document. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A JSON request body, required. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { "application/json": { schema } } };
}

/** A value of the journal (Dates, Maps, BigInts, Errors...) as the plain JSON its schema describes. */
export function asJson<S extends z.ZodType>(value: unknown): z.infer<S> {
  return toJsonValue(value) as z.infer<S>;
}
