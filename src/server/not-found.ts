import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "../worker/logger.js";
import { errorResponse } from "./error-response.js";
import { MethodNotAllowedError, RouteNotFoundError } from "./errors.js";

/**
 * What answers a request no route takes: 405 with `Allow` when the path exists with other methods
 * (found among the routes in the app's OpenAPI registry), 404 otherwise.
 */
export function notFoundHandler(app: OpenAPIHono, logger: Logger): Parameters<OpenAPIHono["notFound"]>[0] {
  let routes: { method: string; pattern: RegExp }[] | undefined;
  return (c) => {
    routes ??= app.openAPIRegistry.definitions.flatMap((definition) =>
      definition.type === "route" ? [{ method: definition.route.method.toUpperCase(), pattern: toPattern(definition.route.path) }] : [],
    );
    const { method, path } = c.req;
    const allowed = routes.filter((route) => route.pattern.test(path)).map((route) => route.method);
    if (allowed.length === 0) return errorResponse(new RouteNotFoundError(method, path), c, logger);
    c.header("Allow", allowed.join(", "));
    return errorResponse(new MethodNotAllowedError(method, path, allowed), c, logger);
  };
}

/** `/api/runs/{id}/cancel` as a pattern that matches one path segment per parameter. */
function toPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+");
  return new RegExp(`^${escaped}$`);
}
