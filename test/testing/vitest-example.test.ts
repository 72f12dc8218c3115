// The vitest example really runs: vitest is started on examples/testing/vitest as a user would,
// and every test in it must pass.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface VitestReport {
  success: boolean;
  numTotalTests: number;
  numPassedTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

test("examples/testing/vitest passes under vitest", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "endure-vitest-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const reportFile = join(dir, "report.json");
  const args = ["node_modules/vitest/vitest.mjs", "run", "--root", "examples/testing/vitest", "--reporter=json", `--outputFile=${reportFile}`];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as VitestReport;
  const failures = report.testResults.flatMap((file) => file.assertionResults.filter((result) => result.status !== "passed"));
  assert.deepEqual(failures, [], `vitest reported failures:\n${stderr}`);
  assert.equal(code, 0, stderr);
  assert.ok(report.success);
  assert.equal(report.numPassedTests, report.numTotalTests);
  assert.ok(report.numTotalTests >= 2, `vitest found ${report.numTotalTests} tests in examples/testing/vitest`);
});
