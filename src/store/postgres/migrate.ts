import { readFileSync, readdirSync } from "node:fs";
import type pg from "pg";
import { quoteIdentifier } from "./sql.js";

const migrationsDir = new URL("./migrations/", import.meta.url);

// One advisory lock key for "migrating an Endure schema"; the second key is the schema's hash.
const MIGRATION_LOCK = 0x656e6475; // "endu"

/**
 * Brings the schema to the newest numbered migration of `migrations/`, in one transaction, under
 * a transaction-scoped advisory lock: workers starting at once queue here, and each re-reads the
 * applied versions once it holds the lock, so every migration runs exactly once.
 */
export async function migrate(client: pg.ClientBase, schema: string): Promise<void> {
  const files = readdirSync(migrationsDir)
    .filter((file) => /^\d+-.*\.sql$/.test(file))
    .sort();
  const latest = Number.parseInt(files.at(-1)!, 10);
  const table = `${quoteIdentifier(schema)}.schema_migrations`;
  // The common case, an up-to-date schema, takes no lock.
  if ((await appliedVersion(client, schema, table)) >= latest) return;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const current = await appliedVersion(client, schema, table);
    await client.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    for (const file of files) {
      const version = Number.parseInt(file, 10);
      if (version <= current) continue;
      await client.query(readFileSync(new URL(file, migrationsDir), "utf8"));
      await client.query(`INSERT INTO ${table} (version, name) VALUES ($1, $2)`, [version, file]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function appliedVersion(client: pg.ClientBase, schema: string, table: string): Promise<number> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${quoteIdentifier(schema)}.schema_migrations`]);
  if (!(exists.rows[0] as { present: boolean }).present) return 0;
  const { rows } = await client.query(`SELECT coalesce(max(version), 0) AS version FROM ${table}`);
  return (rows[0] as { version: number }).version;
}
