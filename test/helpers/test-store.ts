// Which store the store-agnostic suites (engine, client, worker, crash) run on: a SQLite file by
// default, a fresh PostgreSQL schema when ENDURE_TEST_STORE=postgres (test/run-tests.ts runs
// them both ways).
import { freshSchema } from "./postgres.js";
import { tempDir } from "./temp-store.js";

export const TEST_STORE: "sqlite" | "postgres" = process.env.ENDURE_TEST_STORE === "postgres" ? "postgres" : "sqlite";

export interface TestStore {
  /** The store URL to open. */
  url: string;
  /** A temp directory of the test's own, for files beside the store. */
  dir: string;
  /** Removes the store's data and the directory. */
  cleanup(): Promise<void>;
}

/** A fresh, empty store for one test, on the store this suite runs on. */
export function freshTestStore(prefix = "endure-test-"): TestStore {
  const dir = tempDir(prefix);
  if (TEST_STORE === "sqlite") return { url: dir.url, dir: dir.dir, cleanup: async () => dir.cleanup() };
  const schema = freshSchema();
  return {
    url: schema.url,
    dir: dir.dir,
    async cleanup() {
      dir.cleanup();
      await schema.drop();
    },
  };
}
