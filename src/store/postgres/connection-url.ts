import { InvalidArgumentError } from "../../api/errors.js";

/** What Endure reads from a `postgres://` store URL, besides what node-postgres reads itself. */
export interface PostgresUrl {
  /** The URL without Endure's own parameters, for node-postgres. */
  connectionString: string;
  /** Where Endure's tables live (`?schema=`, default `endure`). */
  schema: string;
  /** Most connections the store opens at once (`?pool=`, default 10). */
  poolSize: number;
  /** `user@host:port/database`, for messages: never the password. */
  display: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Parses `postgres://user:password@host:port/database?schema=endure&pool=10`. Every other query
 * parameter (`sslmode`, `application_name`, ...) is left for node-postgres.
 */
export function parsePostgresUrl(url: string): PostgresUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidArgumentError(`"${redact(url)}" is not a valid PostgreSQL URL; use postgres://user:password@host:5432/database.`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") {
    throw new InvalidArgumentError(`"${redact(url)}" is not a PostgreSQL URL; it must start with postgres:// or postgresql://.`);
  }
  if (parsed.hostname === "") {
    throw new InvalidArgumentError(`The PostgreSQL URL "${redact(url)}" names no host; use postgres://user:password@host:5432/database.`);
  }
  const schema = parsed.searchParams.get("schema") ?? "endure";
  if (!SCHEMA_NAME.test(schema)) {
    throw new InvalidArgumentError(
      `The schema "${schema}" in the PostgreSQL URL is not a plain name; use 1 to 63 lower-case letters, digits and underscores, starting with a letter.`,
    );
  }
  const poolText = parsed.searchParams.get("pool") ?? "10";
  const poolSize = Number(poolText);
  if (!Number.isInteger(poolSize) || poolSize < 2 || poolSize > 1000) {
    throw new InvalidArgumentError(`The pool size "${poolText}" in the PostgreSQL URL must be a whole number from 2 to 1000.`);
  }
  parsed.searchParams.delete("schema");
  parsed.searchParams.delete("pool");
  const user = decodeURIComponent(parsed.username) || "(default user)";
  const database = decodeURIComponent(parsed.pathname.slice(1)) || "(default database)";
  return {
    connectionString: parsed.toString(),
    schema,
    poolSize,
    display: `${user}@${parsed.host}/${database}`,
  };
}

/** The URL with its password hidden, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@/]*@/, "$1***@");
}
