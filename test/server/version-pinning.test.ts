import assert from "node:assert/strict";
import { test } from "node:test";
import { NonRetryableError, step, workflow } from "../../src/index.js";
import { openTestServer, runPath } from "../helpers/test-server.js";
import { waitUntil } from "../helpers/wait-until.js";

let broken = true;
const flaky = step("pinned-flaky", async () => {
  if (broken) throw new NonRetryableError("the v1 deploy has a bug");
  return "fixed";
});
const fragile = workflow("pinned-fragile", async () => await flaky());

test("the API shows a run's version, and its retry re-pins the run to the version given", async (t) => {
  broken = true;
  const server = await openTestServer({ workflows: [fragile], version: "v1", compatibleWith: ["v2"] });
  t.after(server.close);
  await server.post("/api/runs", { workflow: "pinned-fragile", id: "f-1" });
  const failed = await waitUntil(async () => {
    const run = (await server.get(runPath("f-1"))).body;
    return run.status === "failed" ? run : undefined;
  }, "the run to fail");
  assert.equal(failed.version, "v1");

  const refused = await server.post(runPath("f-1", "retry"), { version: "" });
  assert.deepEqual([refused.status, refused.body.error.code], [400, "INVALID_ARGUMENT"]);
  assert.match(refused.body.error.message, /^retry\(\): version must be a version of your code/);

  // This worker of v1 serves v2 too, so it takes the re-pinned run up.
  broken = false;
  const retried = await server.post(runPath("f-1", "retry"), { version: "v2" });
  assert.deepEqual([retried.status, retried.body], [200, { status: "pending" }]);
  const done = await waitUntil(async () => {
    const run = (await server.get(runPath("f-1"))).body;
    return run.status === "completed" ? run : undefined;
  }, "the retried run to complete");
  assert.deepEqual([done.output, done.version], ["fixed", "v2"]);
  const openapi = (await server.get("/api/openapi.json")).body;
  assert.ok(openapi.components.schemas.RetryOptions, "the retry body is described");
});
