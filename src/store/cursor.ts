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
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof createdAt === "number" && typeof id === "string") return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError(`The cursor "${cursor}" is not one list() returned. Pass nextCursor from a previous page, or omit it.`);
}
