import { randomUUID } from "node:crypto";

/**
 * A new run id: a UUIDv7 (RFC 9562), the time in ms first, then 74 random bits. Ids of runs started
 * around the same time sort together, so the rows of the runs in flight (and their journals) sit
 * together at the end of the stores' indexes: a group commit writes a few pages, not one page per
 * run scattered over the whole table. Built on `randomUUID()`'s pooled randomness, about ten times
 * faster than a general-purpose UUID library's v7.
 */
export function newRunId(now = Date.now()): string {
  const time = now.toString(16).padStart(12, "0");
  // A v4 UUID: its version digit is at index 14, its variant bits already set at index 19.
  const random = randomUUID();
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
