import { resolve } from "node:path";
import { InvalidArgumentError } from "../api/errors.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/** Where `Endure.open()` keeps its data when no store is given. */
export const DEFAULT_STORE_URL = "sqlite:.endure/endure.db";

/**
 * Opens the store a URL names: `sqlite:path/to/file.db` (relative to the working directory),
 * `sqlite:///absolute/path.db`, or `sqlite::memory:` for a throwaway store.
 */
export function openStore(url: string): Store {
  if (typeof url !== "string") {
    throw new InvalidArgumentError(`store must be a URL such as "sqlite:.endure/endure.db" or a Store; got ${typeof url}.`);
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length).replace(/^\/\//, "");
    if (path === "") throw new InvalidArgumentError(`The store URL "${url}" names no file; use e.g. "sqlite:.endure/endure.db".`);
    return new SqliteStore(path === ":memory:" ? path : resolve(path));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new InvalidArgumentError(`The PostgreSQL store is not part of this version of Endure yet; use a "sqlite:" store URL.`);
  }
  throw new InvalidArgumentError(`"${url}" is not a store URL. Use "sqlite:path/to/file.db" (for example "sqlite:.endure/endure.db").`);
}
