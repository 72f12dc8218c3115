import { resolve } from "node:path";
import { InvalidArgumentError } from "../api/errors.js";
import { redact } from "./postgres/connection-url.js";
import { PostgresStore } from "./postgres/postgres-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/** Where `Endure.open()` keeps its data when no store is given. */
export const DEFAULT_STORE_URL = "sqlite:.endure/endure.db";

/**
 * Opens the store a URL names: `sqlite:path/to/file.db` (relative to the working directory),
 * `sqlite:///absolute/path.db`, `sqlite::memory:` for a throwaway store, or
 * `postgres://user:password@host:5432/database` (optionally `?schema=endure&pool=10`).
 */
export async function openStore(url: string): Promise<Store> {
  if (typeof url !== "string") {
    throw new InvalidArgumentError(`store must be a URL such as "sqlite:.endure/endure.db" or a Store; got ${typeof url}.`);
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") throw new InvalidArgumentError(`The store URL "${url}" names no file; use e.g. "sqlite:.endure/endure.db".`);
    return new SqliteStore(path === ":memory:" ? path : resolve(path));
  }
  if (/^postgres(ql)?:/.test(url)) return await PostgresStore.open(url);
  throw new InvalidArgumentError(
    `"${redact(url)}" is not a store URL. Use "sqlite:path/to/file.db" (for example "sqlite:.endure/endure.db") ` +
      `or "postgres://user:password@host:5432/database".`,
  );
}
