// The test kit as users import it: "endure/testing", compiled under dist/ (npm run build makes it).
import assert from "node:assert/strict";
import { test } from "node:test";
import { now, sleep, workflow } from "endure";
import { createTestEnv, TestStalledError } from "endure/testing";

const nap = workflow("package-testing-nap", async () => {
  await sleep("1 day");
  return now();
});

test("endure/testing resolves to the built test kit, which skips a day of sleep", async (t) => {
  const start = Date.UTC(2026, 5, 1);
  const env = await createTestEnv({ workflows: [nap], startTime: start });
  t.after(() => env.close());
  const wokeAt: number = await env.execute(nap, []);
  assert.equal(wokeAt, start + 24 * 60 * 60 * 1000);
  assert.equal(new TestStalledError("r", null, 1).code, "TEST_STALLED");
});
