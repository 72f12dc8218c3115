import { randomUUID } from "node:crypto";
import pg from "pg";
import { startPostgres } from "../test/helpers/postgres-server.js";
import { floor, type FloorMetrics } from "./floor.js";
import { floorPostgres } from "./floor-postgres.js";
import { benchOn } from "./harness.js";

export type StoreKind = "sqlite" | "postgres";

/** Where the workloads run, what their floor is, and how the results are labelled. */
export interface BenchDatabase {
  kind: StoreKind;
  /** Names the database in tables. */
  database: string;
  durability: string;
  /** The file under bench/results/ that `npm run bench` writes. */
  results: string;
  floor(): Promise<FloorMetrics>;
  stop(): Promise<void>;
}

/** Makes every workload run on `kind` (see harness.ts `benchOn`); `stop()` it when done. */
export async function openDatabase(kind: StoreKind): Promise<BenchDatabase> {
  return kind === "postgres" ? await postgresDatabase() : sqliteDatabase();
}

function sqliteDatabase(): BenchDatabase {
  return {
    kind: "sqlite",
    database: "SQLite, WAL + FULL",
    durability: "WAL, synchronous=FULL",
    results: "latest.json",
    floor: async () => floor(),
    stop: async () => {},
  };
}

/** DATABASE_URL, else a throwaway durable server; every pass gets a fresh schema. */
async function postgresDatabase(): Promise<BenchDatabase> {
  const server = process.env.DATABASE_URL ? undefined : await startPostgres({ durable: true });
  const url = process.env.DATABASE_URL ?? server!.url;
  benchOn(async () => {
    const schema = `bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const withSchema = new URL(url);
    withSchema.searchParams.set("schema", schema);
    return {
      url: withSchema.toString(),
      remove: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      },
    };
  });
  return {
    kind: "postgres",
    database: "PostgreSQL 15, fsync + synchronous_commit on",
    durability: "PostgreSQL fsync=on, synchronous_commit=on",
    results: "latest-postgres.json",
    floor: () => floorPostgres(url),
    stop: async () => server?.destroy(),
  };
}
