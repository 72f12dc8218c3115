import { InvalidArgumentError } from "../api/errors.js";

/** A page cursor: the sort key (created time, id) of the last run on the previous page. */
export interface CursorKey {
  createdAt: number;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString("base64url");
}

export function decodeCursor(cursor: string): CursorKey {
  const [createdAt, id] = parseCursor(cursor);
  if (typeof createdAt === "number" && typeof id === "string") return { createdAt, id };
  throw notACursor(cursor);
}

/** A page cursor of the event log (newest first): the seq of the last event on the previous page. */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(JSON.stringify([seq])).toString("base64url");
}

export function decodeSeqCursor(cursor: string): number {
  const [seq, ...rest] = parseCursor(cursor);
  if (typeof seq === "number" && Number.isSafeInteger(seq) && rest.length === 0) return seq;
  throw notACursor(cursor);
}

/**
 * A page of `limit` items from up to `limit + 1` rows read: the extra row only tells that there is
 * a next page, whose cursor `cursorOf` makes from the page's last item.
 */
export function pageOf<R, T>(rows: readonly R[], limit: number, toItem: (row: R) => T, cursorOf: (last: T) => string): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map(toItem);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

function parseCursor(cursor: string): unknown[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed)) return parsed as unknown[];
  } catch {
    // not base64url JSON: not a cursor of ours
  }
  return [];
}

function notACursor(cursor: string): InvalidArgumentError {
  return new InvalidArgumentError(`The cursor "${cursor}" is not one list() returned. Pass nextCursor from a previous page, or omit it.`);
}
