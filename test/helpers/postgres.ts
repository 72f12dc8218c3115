// PostgreSQL for tests: every test gets a schema of its own on the server DATABASE_URL names
// (test/with-postgres.ts starts one for `npm test`), dropped when the test is done.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { POSTGRES_HINT } from "./postgres-server.js";

/** The server the PostgreSQL tests use, or undefined when they are to be skipped. */
export const DATABASE_URL = process.env.DATABASE_URL;

/** For `describe(name, postgresOnly, ...)`: skips with the hint when no server is available. */
export const postgresOnly = DATABASE_URL ? {} : { skip: POSTGRES_HINT };

/** `DATABASE_URL` with a fresh schema name in it, and a function that drops that schema. */
export function freshSchema(prefix = "t"): { url: string; schema: string; drop(): Promise<void> } {
  if (!DATABASE_URL) throw new Error(POSTGRES_HINT);
  const schema = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const url = new URL(DATABASE_URL);
  url.searchParams.set("schema", schema);
  return {
    url: url.toString(),
    schema,
    async drop() {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
