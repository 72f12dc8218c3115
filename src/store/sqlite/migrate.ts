import type Database from "better-sqlite3";
import { readFileSync, readdirSync } from "node:fs";

const migrationsDir = new URL("./migrations/", import.meta.url);

/**
 * Applies the numbered SQL files of `migrations/` that the database has not seen yet, each in its
 * own transaction, and records the version in `PRAGMA user_version`. Safe when several processes
 * open the same file at once: the write lock serialises them and each re-reads the version.
 */
export function migrate(db: Database.Database): void {
  const files = readdirSync(migrationsDir)
    .filter((file) => /^\d+-.*\.sql$/.test(file))
    .sort();
  for (const file of files) {
    const version = Number.parseInt(file, 10);
    db.transaction(() => {
      const current = db.pragma("user_version", { simple: true }) as number;
      if (current >= version) return;
      db.exec(readFileSync(new URL(file, migrationsDir), "utf8"));
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
}
