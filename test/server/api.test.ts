import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { NonRetryableError, sleep, step, waitForEvent, workflow } from "../../src/index.js";
import { openTestServer, runPath, type TestServer } from "../helpers/test-server.js";
import { waitUntil } from "../helpers/wait-until.js";

const describeValues = step("describe", async (name: string) => ({
  greeting: `hello ${name}`,
  at: new Date("2026-01-02T03:04:05.006Z"),
  big: 12345678901234567890n,
  map: new Map([["a", 1]]),
}));
const greet = workflow("greet", async (name: string) => await describeValues(name));
const approval = workflow("approval", async () => await waitForEvent<{ approved: boolean }>("decision"));
const nap = workflow("nap", async () => {
  await sleep("1h");
  return "woke";
});

let broken = true;
const flaky = step("flaky", async () => {
  if (broken) throw new NonRetryableError("the flag is still down");
  return "fixed";
}, { retry: { maxAttempts: 1 } });
const fragile = workflow("fragile", async () => await flaky());

const workflows = [greet, approval, nap, fragile];

async function statusOf(server: TestServer, id: string, wanted: string): Promise<boolean> {
  return (await server.get(runPath(id))).body.status === wanted;
}

describe("HTTP API", () => {
  test("starts a run and reads its result, journal and timestamps as JSON", async (t) => {
    const server = await openTestServer({ workflows });
    t.after(server.close);

    const started = await server.post("/api/runs", { workflow: "greet", args: ["ada"], id: "greet-ada", tags: ["demo"] });
    assert.equal(started.status, 201);
    assert.equal(started.body.id, "greet-ada");
    assert.equal(started.body.created, true);
    assert.equal(started.headers.get("Location"), "/api/runs/greet-ada");

    await waitUntil(() => statusOf(server, "greet-ada", "completed"), "the run to complete");
    const { status, body: run } = await server.get(runPath("greet-ada"));
    assert.equal(status, 200);
    assert.equal(run.workflow, "greet");
    assert.deepEqual(run.input, ["ada"]);
    assert.deepEqual(run.output, { greeting: "hello ada", at: "2026-01-02T03:04:05.006Z", big: "12345678901234567890", map: { a: 1 } });
    assert.deepEqual(run.tags, ["demo"]);
    assert.match(run.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(run.journal.length, 1);
    assert.equal(run.journal[0].name, "describe");
    assert.equal(run.journal[0].status, "completed");
    assert.deepEqual(run.values, {});
    assert.deepEqual(run.history, []);

    const again = await server.post("/api/runs", { workflow: "greet", args: ["someone else"], id: "greet-ada" });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { id: "greet-ada", status: "completed", created: false });
    assert.equal((await server.get("/api/runs")).body.runs.length, 1);
  });

  test("lists runs by status, workflow and tags, a page at a time", async (t) => {
    const server = await openTestServer({ workflows });
    t.after(server.close);

    for (const [index, tags] of [["a"], ["a", "b"], ["b"], ["a", "b"], []].entries()) {
      assert.equal((await server.post("/api/runs", { workflow: "greet", args: [`n${index}`], id: `greet-${index}`, tags })).status, 201);
    }
    assert.equal((await server.post("/api/runs", { workflow: "nap", id: "napper" })).status, 201);
    await waitUntil(async () => (await server.get("/api/runs?status=completed")).body.runs.length === 5, "five completed runs");

    const both = await server.get("/api/runs?tag=a&tag=b");
    assert.deepEqual(both.body.runs.map((run: { id: string }) => run.id).sort(), ["greet-1", "greet-3"]);
    const onlyA = await server.get("/api/runs?tag=a");
    assert.deepEqual(onlyA.body.runs.map((run: { id: string }) => run.id).sort(), ["greet-0", "greet-1", "greet-3"]);
    const naps = await server.get("/api/runs?workflow=nap");
    assert.deepEqual(naps.body.runs.map((run: { id: string }) => run.id), ["napper"]);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/runs?workflow=greet&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await server.get(query);
      assert.equal(page.status, 200);
      assert.ok(page.body.runs.length <= 2);
      seen.push(...page.body.runs.map((run: { id: string }) => run.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), ["greet-0", "greet-1", "greet-2", "greet-3", "greet-4"]);
  });

  test("an event sent through the API reaches the run that waits for it", async (t) => {
    const server = await openTestServer({ workflows });
    t.after(server.close);

    await server.post("/api/runs", { workflow: "approval", id: "order-7" });
    await waitUntil(() => statusOf(server, "order-7", "waiting"), "the run to wait for its event");
    const waiting = (await server.get(runPath("order-7"))).body;
    assert.equal(waiting.diagnosis.reason, "waiting-for-event");
    assert.match(waiting.diagnosis.summary, /^Waiting for event "decision" since /);
    const sent = await server.post(runPath("order-7", "events"), { name: "decision", payload: { approved: true }, key: "k1" });
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body, { duplicate: false });

    await waitUntil(() => statusOf(server, "order-7", "completed"), "the run to complete");
    const done = (await server.get(runPath("order-7"))).body;
    assert.deepEqual([done.output, done.diagnosis], [{ approved: true }, null]);
    const late = await server.post(runPath("order-7", "events"), { name: "decision", payload: { approved: false } });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, "RUN_FINISHED");
  });

  test("a repeated event key is delivered once", async (t) => {
    const server = await openTestServer({ workflows });
    t.after(server.close);

    await server.post("/api/runs", { workflow: "nap", id: "sleeper" });
    assert.deepEqual((await server.post(runPath("sleeper", "events"), { name: "poke", key: "once" })).body, { duplicate: false });
    assert.deepEqual((await server.post(runPath("sleeper", "events"), { name: "poke", key: "once" })).body, { duplicate: true });
  });

  test("cancels a run", async (t) => {
    const server = await openTestServer({ workflows });
    t.after(server.close);

    await server.post("/api/runs", { workflow: "nap", id: "long-nap" });
    await waitUntil(() => statusOf(server, "long-nap", "waiting"), "the run to sleep");
    const cancelled = await server.post(runPath("long-nap", "cancel"));
    assert.equal(cancelled.status, 200);
    assert.ok(["waiting", "running", "cancelled"].includes(cancelled.body.status), cancelled.body.status);
    await waitUntil(() => statusOf(server, "long-nap", "cancelled"), "the run to be cancelled");
    assert.equal((await server.get(runPath("long-nap"))).body.error.code, "CANCELLED");
  });

  test("retries a failed run once its step is fixed", async (t) => {
    broken = true;
    const server = await openTestServer({ workflows });
    t.after(server.close);

    await server.post("/api/runs", { workflow: "fragile", id: "fragile-1" });
    await waitUntil(() => statusOf(server, "fragile-1", "failed"), "the run to fail");
    const failed = (await server.get(runPath("fragile-1"))).body;
    assert.deepEqual([failed.error.code, failed.error.message], ["NON_RETRYABLE", "the flag is still down"]);

    broken = false;
    const retried = await server.post(runPath("fragile-1", "retry"));
    assert.equal(retried.status, 200);
    assert.equal(retried.body.status, "pending");
    await waitUntil(() => statusOf(server, "fragile-1", "completed"), "the retried run to complete");
    const run = (await server.get(runPath("fragile-1"))).body;
    assert.equal(run.output, "fixed");
    assert.equal(run.retries, 1);
    assert.equal(run.history[0].entries[0].error.message, "the flag is still down");

    const again = await server.post(runPath("fragile-1", "retry"));
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, "RUN_NOT_RETRYABLE");
  });

  test("health, workflows and queues", async (t) => {
    const server = await openTestServer({ workflows });
    t.after(server.close);

    assert.deepEqual(await server.get("/health").then((r) => [r.status, r.body]), [200, { status: "ok" }]);
    assert.deepEqual((await server.get("/api/workflows")).body, { workflows: ["approval", "fragile", "greet", "nap"] });
    assert.deepEqual((await server.get("/api/queues")).body, { queues: [] });
  });

  test("health answers 503 when the store does not answer", async (t) => {
    const warnings: string[] = [];
    const server = await openTestServer(undefined, { logger: { info: () => {}, warn: (message) => warnings.push(message), error: () => {} } });
    t.after(server.close);
    await server.endure.close();

    const health = await server.get("/health");
    assert.equal(health.status, 503);
    assert.equal(health.body.error.code, "STORE_UNAVAILABLE");
    assert.match(health.body.error.message, /did not answer a health check: .*after close\(\)/);
    assert.match(warnings.join("\n"), /GET \/health answered 503/);
  });

  test("serves the metrics it is given, and says when there are none", async (t) => {
    const metrics = { contentType: "text/plain; version=0.0.4; charset=utf-8", metrics: async () => "endure_runs_started_total 3\n" };
    const withMetrics = await openTestServer(undefined, { metrics });
    t.after(withMetrics.close);
    const served = await withMetrics.get("/metrics");
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("Content-Type"), metrics.contentType);
    assert.equal(served.body, "endure_runs_started_total 3\n");

    const without = await openTestServer();
    t.after(without.close);
    const missing = await without.get("/metrics");
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "METRICS_NOT_ENABLED");
    assert.match(missing.body.error.message, /startServer\(\{ metrics \}\)/);
  });

  test("an unexpected error answers 500 without its details, and is logged", async (t) => {
    const logged: unknown[] = [];
    const logger = { info: () => {}, warn: () => {}, error: (_message: string, details?: Record<string, unknown>) => logged.push(details?.error) };
    const metrics = { contentType: "text/plain", metrics: async () => { throw new Error("secret: the registry blew up"); } };
    const server = await openTestServer(undefined, { metrics, logger });
    t.after(server.close);

    const failed = await server.get("/metrics");
    assert.equal(failed.status, 500);
    assert.equal(failed.body.error.code, "INTERNAL");
    assert.match(failed.body.error.message, /failed to handle GET \/metrics/);
    assert.doesNotMatch(JSON.stringify(failed.body), /secret|at /);
    assert.equal((logged[0] as Error).message, "secret: the registry blew up");
  });

  test("the OpenAPI document names every route with its schemas", async (t) => {
    const server = await openTestServer();
    t.after(server.close);

    const { status, body: document } = await server.get("/api/openapi.json");
    assert.equal(status, 200);
    assert.equal(document.openapi, "3.1.0");
    const routes = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    assert.deepEqual(routes.sort(), [
      // ---- event log ----
      "GET /api/events",
      "GET /api/events/{seq}",
      // ----
      "GET /api/openapi.json",
      "GET /api/queues",
      "GET /api/runs",
      "GET /api/runs/{id}",
      // ---- event log ----
      "GET /api/triggers",
      "GET /api/webhooks",
      // ----
      "GET /api/workflows",
      "GET /health",
      "GET /metrics",
      // ---- event log ----
      "POST /api/events",
      "POST /api/events/{seq}/redispatch",
      // ----
      "POST /api/runs",
      "POST /api/runs/{id}/cancel",
      "POST /api/runs/{id}/events",
      "POST /api/runs/{id}/retry",
      // ---- event log ----
      "POST /webhooks/{name}",
    ]);
    assert.deepEqual(document.components.schemas.StartRun.required, ["workflow"]);
    assert.ok(document.paths["/api/runs"].post.responses["422"], "start documents its 422");
    assert.equal(document.components.securitySchemes.bearerAuth.scheme, "bearer");
  });
});
