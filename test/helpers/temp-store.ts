import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory for one test's database files, removed by `cleanup()`. */
export function tempDir(prefix = "endure-test-"): { dir: string; dbPath: string; url: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dbPath = join(dir, "endure.db");
  return { dir, dbPath, url: `sqlite:${dbPath}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
