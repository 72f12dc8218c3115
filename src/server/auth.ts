import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { MiddlewareHandler } from "hono";
import { UnauthorizedError } from "./errors.js";

/** Whether `host` only reaches this machine: 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) or localhost. */
export function isLoopback(host: string): boolean {
  const address = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (address === "localhost") return true;
  if (isIP(address) === 4) return address.startsWith("127.");
  if (isIP(address) === 6) return address === "::1" || /^(0:){7}1$/.test(address) || /^::ffff:127\./.test(address);
  return false;
}

/** Rejects every request that does not carry `Authorization: Bearer <token>`. */
export function requireToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header("Authorization");
    if (header === undefined) throw new UnauthorizedError("The request has no Authorization header.");
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (!match) throw new UnauthorizedError('The Authorization header is not of the form "Bearer <token>".');
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (!timingSafeEqual(digest(match[1]!), expected)) throw new UnauthorizedError("The API token is wrong.");
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}
