import type { Context, MiddlewareHandler } from "hono";
import { BodyTooLargeError } from "./errors.js";

/**
 * Rejects a request body over `limit` bytes with 413 before anything parses it: at once when its
 * Content-Length says so, else (a chunked body) as soon as the bytes read pass the limit.
 *
 * Not hono/body-limit: it rebuilds a chunked request with `new Request(c.req.raw)`, which fails
 * unless Hono's Node adapter replaces the process's global Request, and a library must not.
 */
export function bodyLimit(limit: number): MiddlewareHandler {
  return async (c, next) => {
    // Headers first: touching c.req.raw makes Hono's Node adapter build a whole Request, the
    // largest cost of a small request. No route reads the body of a GET.
    if (c.req.method === "GET" || c.req.method === "HEAD") return await next();
    const length = c.req.header("Content-Length");
    if (length !== undefined && c.req.header("Transfer-Encoding") === undefined) {
      if (Number(length) > limit) tooLarge(c, limit);
      return await next();
    }
    const { body } = c.req.raw;
    if (!body) return await next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > limit) tooLarge(c, limit);
      chunks.push(chunk);
    }
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers, body: Buffer.concat(chunks) });
    await next();
  };
}

function tooLarge(c: Context, limit: number): never {
  // The rest of the body is never read, so the connection cannot carry another request.
  c.header("Connection", "close");
  throw new BodyTooLargeError(limit);
}
