import Database from "better-sqlite3";
import { statSync } from "node:fs";
import pg from "pg";

export interface StoreSize {
  /** Everything the store occupies: the SQLite file and its WAL after a checkpoint, or every table of the PostgreSQL schema. */
  totalBytes: number;
  /** Per table, with its indexes (and TOAST on PostgreSQL). */
  tableBytes: Record<string, number>;
  runs: number;
  journalEntries: number;
}

const COUNT_RUNS = "SELECT count(*) AS n FROM runs";
const COUNT_JOURNAL = "SELECT count(*) AS n FROM journal";

/** How much disk the store at `url` takes, and how many runs and journal entries it holds. */
export async function storeSize(url: string): Promise<StoreSize> {
  return url.startsWith("sqlite:") ? sqliteSize(url.slice("sqlite:".length)) : await postgresSize(url);
}

function sqliteSize(path: string): StoreSize {
  const db = new Database(path);
  try {
    db.pragma("busy_timeout = 10000");
    // Moves the WAL into the file and empties it, so the file alone says what the data takes.
    db.pragma("wal_checkpoint(TRUNCATE)");
    const fileBytes = (suffix: string) => statSync(path + suffix, { throwIfNoEntry: false })?.size ?? 0;
    // dbstat names tables and indexes; sqlite_schema maps each index to its table.
    const rows = db.prepare(
      "SELECT s.tbl_name AS name, SUM(d.pgsize) AS bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name GROUP BY s.tbl_name",
    ).all() as { name: string; bytes: number }[];
    return {
      totalBytes: fileBytes("") + fileBytes("-wal"),
      tableBytes: Object.fromEntries(rows.map((row) => [row.name, row.bytes])),
      runs: (db.prepare(COUNT_RUNS).get() as { n: number }).n,
      journalEntries: (db.prepare(COUNT_JOURNAL).get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

async function postgresSize(url: string): Promise<StoreSize> {
  const schema = new URL(url).searchParams.get("schema") ?? "endure";
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${schema}"`);
    const { rows } = await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    const tableBytes = Object.fromEntries(rows.map((row) => [row.name, Number(row.bytes)]));
    const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
    const [runs, journalEntries] = [await count(COUNT_RUNS), await count(COUNT_JOURNAL)];
    return { totalBytes: Object.values(tableBytes).reduce((sum, bytes) => sum + bytes, 0), tableBytes, runs, journalEntries };
  } finally {
    await client.end();
  }
}
