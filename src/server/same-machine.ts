import type { MiddlewareHandler } from "hono";
import { isLoopback } from "./auth.js";
import { ForbiddenRequestError } from "./errors.js";

/**
 * Without a token, the API trusts whoever reaches it, which on loopback means this machine. A web
 * page in this machine's browser reaches it too: it could post a cancel (no preflight is needed
 * for a body-less POST), or rebind its own name to 127.0.0.1 and read runs as a same-origin page.
 * So a token-less server answers only requests addressed to a loopback name (the Host header) and
 * coming from no page or from a loopback page or a `cors` origin (the Origin header). Tools such as
 * curl send no Origin; a token lifts both checks.
 */
export function sameMachineOnly(cors: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("Host");
    if (host !== undefined && !isLoopback(hostnameOf(`http://${host}`))) {
      throw new ForbiddenRequestError(
        `This server has no API token, so it answers only requests addressed to this machine (localhost, 127.0.0.1, [::1]); this one is addressed to "${host}". ` +
          `Use http://127.0.0.1:<port>, or start the server with a token.`,
      );
    }
    const origin = c.req.header("Origin");
    if (origin !== undefined && !cors.includes(origin) && !isLoopback(hostnameOf(origin))) {
      throw new ForbiddenRequestError(
        `This server has no API token, so it refuses requests from web pages of other sites; this one comes from "${origin}". ` +
          `Add the origin to the server's cors option, or start the server with a token.`,
      );
    }
    await next();
  };
}

/** The host name of a URL (`[::1]` for IPv6), or "" when it is not a URL (an Origin of `null`). */
function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}
