import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { queue, waitForEvent, workflow } from "../../src/index.js";
import { openTestServer, runPath, type TestServer } from "../helpers/test-server.js";
import { waitUntil } from "../helpers/wait-until.js";

const echo = workflow("echo", async (value: unknown) => value);
const inbox = workflow("inbox", async () => await waitForEvent("letter"));
const payments = queue("payments", { concurrency: 1 });

async function runCount(server: TestServer): Promise<number> {
  return (await server.get("/api/runs?limit=1000")).body.runs.length;
}

/** Checks an error answer: its status, code and what its message says. */
function assertError(response: { status: number; body: { error: { code: string; message: string } } }, status: number, code: string, message: RegExp): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body.error.code, code);
  assert.match(response.body.error.message, message);
}

describe("HTTP API: bad input gets a clear error and stores nothing", () => {
  test("bodies that are not JSON, not declared as JSON, or of the wrong shape", async (t) => {
    const server = await openTestServer({ workflows: [echo] });
    t.after(server.close);

    assertError(await server.post("/api/runs", "{ workflow: echo"), 400, "MALFORMED_JSON", /not valid JSON.*Content-Type: application\/json/);
    assertError(await server.post("/api/runs", '{"workflow":"echo"}', { "Content-Type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE", /"text\/plain".*JSON only/);
    assertError(await server.post("/api/runs", "[1, 2]"), 400, "INVALID_REQUEST", /body: Invalid input: expected object/);
    assertError(await server.post("/api/runs"), 400, "INVALID_REQUEST", /body/);

    const wrongTypes = await server.post("/api/runs", { workflow: 42, args: "alice", tags: [1], priority: "high", colour: "red" });
    assertError(wrongTypes, 400, "INVALID_REQUEST", /body\.workflow: .*expected string/);
    assert.deepEqual(
      wrongTypes.body.error.issues.map((issue: { path: string }) => issue.path),
      ["body.workflow", "body.args", "body.tags.0", "body.priority", "body"],
    );
    assert.match(wrongTypes.body.error.issues.at(-1).message, /Unrecognized key: "colour"/);

    assert.equal(await runCount(server), 0);
  });

  test("values the client refuses: unknown workflow or queue, bad options, ids", async (t) => {
    const server = await openTestServer({ workflows: [echo, inbox], queues: [payments] });
    t.after(server.close);

    const unknown = await server.post("/api/runs", { workflow: "ecco" });
    assertError(unknown, 422, "UNKNOWN_WORKFLOW", /No workflow named "ecco".*known: "echo"/);
    assert.equal(unknown.body.error.workflow, "ecco");
    assertError(await server.post("/api/runs", { workflow: "echo", queue: "payment" }), 422, "UNKNOWN_QUEUE", /"payment".*known: "payments"/);
    assertError(await server.post("/api/runs", { workflow: "echo", timeout: "soon" }), 400, "INVALID_ARGUMENT", /timeout/);
    assertError(await server.post("/api/runs", { workflow: "echo", priority: 5 }), 400, "INVALID_ARGUMENT", /priority/);
    assertError(await server.post("/api/runs", { workflow: "echo", id: "" }), 400, "INVALID_ARGUMENT", /run id must be 1 to 255/);
    assertError(await server.post("/api/runs", { workflow: "echo", id: "x".repeat(256) }), 400, "INVALID_ARGUMENT", /run id must be 1 to 255/);
    assertError(await server.post("/api/runs", { workflow: "echo", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }), 400, "INVALID_ARGUMENT", /tags/);
    assert.equal(await runCount(server), 0);

    assert.equal((await server.post("/api/runs", { workflow: "echo", id: "taken", args: ["first"] })).status, 201);
    const otherWorkflow = await server.post("/api/runs", { workflow: "inbox", id: "taken" });
    assertError(otherWorkflow, 400, "INVALID_ARGUMENT", /the id "taken" already belongs to a run of workflow "echo"\. Use another id/);
    assert.equal(await runCount(server), 1);
    assert.equal((await server.get(runPath("taken"))).body.workflow, "echo");
  });

  test("bodies over the limit get 413 before they are read, with a Content-Length or chunked", async (t) => {
    const server = await openTestServer({ workflows: [echo] });
    t.after(server.close);

    const huge = { workflow: "echo", args: ["x".repeat(2 * 1024 * 1024)] };
    const declared = await server.post("/api/runs", huge);
    assertError(declared, 413, "BODY_TOO_LARGE", /over this server's limit of 1114112 bytes/);
    assert.equal(declared.body.error.limit, 1114112);

    const text = JSON.stringify(huge);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < text.length; at += 64 * 1024) controller.enqueue(new TextEncoder().encode(text.slice(at, at + 64 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${server.url}/api/runs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: chunked, duplex: "half" } as RequestInit);
    assert.equal(streamed.status, 413);
    assert.equal(((await streamed.json()) as { error: { code: string } }).error.code, "BODY_TOO_LARGE");

    // A chunked body under the limit is read whole and taken.
    const small = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ workflow: "echo", args: ["small"], id: "small" })));
        controller.close();
      },
    });
    const taken = await fetch(`${server.url}/api/runs`, { method: "POST", headers: { "Content-Type": "application/json" }, body: small, duplex: "half" } as RequestInit);
    assert.equal(taken.status, 201);
    assert.deepEqual((await server.get("/api/runs")).body.runs.map((run: { id: string }) => run.id), ["small"]);
  });

  test("a value over the client's payload limit gets 413 PAYLOAD_TOO_LARGE", async (t) => {
    const server = await openTestServer({ workflows: [echo] }, { bodyLimit: 4 * 1024 * 1024 });
    t.after(server.close);

    const response = await server.post("/api/runs", { workflow: "echo", args: ["x".repeat(2 * 1024 * 1024)] });
    assertError(response, 413, "PAYLOAD_TOO_LARGE", /over the payload limit of 1048576 bytes/);
    assert.equal(await runCount(server), 0);
  });

  test("bad query strings", async (t) => {
    const server = await openTestServer({ workflows: [echo] });
    t.after(server.close);

    const bad = await server.get("/api/runs?status=done&limit=many");
    assertError(bad, 400, "INVALID_REQUEST", /query\.status: .*"completed"/);
    assert.deepEqual(bad.body.error.issues.map((issue: { path: string }) => issue.path), ["query.status", "query.limit"]);
    assertError(await server.get("/api/runs?limit=0"), 400, "INVALID_ARGUMENT", /limit must be a whole number from 1 to 1000/);
    assertError(await server.get("/api/runs?limit=2.5"), 400, "INVALID_REQUEST", /query\.limit/);
    assertError(await server.get("/api/runs?cursor=not-a-cursor"), 400, "INVALID_ARGUMENT", /cursor "not-a-cursor" is not one list\(\) returned/);
  });

  test("unknown routes and methods", async (t) => {
    const server = await openTestServer();
    t.after(server.close);

    const missing = await server.get("/api/jobs");
    assertError(missing, 404, "NOT_FOUND", /No route GET \/api\/jobs\. The routes are listed at GET \/api\/openapi\.json/);
    assert.deepEqual([missing.body.error.method, missing.body.error.path], ["GET", "/api/jobs"]);
    assertError(await server.get("/api/runs/a/b"), 404, "NOT_FOUND", /Percent-encode the run id/);

    const wrongMethod = await server.request("DELETE", runPath("some-run"));
    assertError(wrongMethod, 405, "METHOD_NOT_ALLOWED", /\/api\/runs\/some-run does not take DELETE; it takes GET/);
    assert.equal(wrongMethod.headers.get("Allow"), "GET");
    assert.equal((await server.get(runPath("some-run", "cancel"))).headers.get("Allow"), "POST");
  });

  test("events: bad bodies, unknown runs and reserved names are refused and the run receives only the good event", async (t) => {
    const server = await openTestServer({ workflows: [inbox] });
    t.after(server.close);
    await server.post("/api/runs", { workflow: "inbox", id: "mailbox" });
    await waitUntil(async () => (await server.get(runPath("mailbox"))).body.status === "waiting", "the run to wait for its letter");

    assertError(await server.post(runPath("mailbox", "events"), "{"), 400, "MALFORMED_JSON", /not valid JSON/);
    assertError(await server.post(runPath("mailbox", "events"), { name: 7, payload: "wrong" }), 400, "INVALID_REQUEST", /body\.name/);
    assertError(await server.post(runPath("mailbox", "events"), { payload: "nameless" }), 400, "INVALID_REQUEST", /body\.name/);
    assertError(await server.post(runPath("mailbox", "events"), { name: "endure:child:0", payload: "forged" }), 400, "INVALID_ARGUMENT", /Endure's own/);
    assertError(await server.post(runPath("mailbox", "events"), { name: "letter", key: "" }), 400, "INVALID_ARGUMENT", /key must be a string of 1 to 255/);
    assertError(await server.post(runPath("mailbox", "events"), { name: "letter", payload: "x".repeat(2 * 1024 * 1024) }), 413, "BODY_TOO_LARGE", /limit/);
    assertError(await server.post(runPath("no-such-run", "events"), { name: "letter" }), 404, "RUN_NOT_FOUND", /No run with id "no-such-run"/);
    assert.equal((await server.get(runPath("mailbox"))).body.status, "waiting");

    assert.equal((await server.post(runPath("mailbox", "events"), { name: "letter", payload: "the good one" })).status, 200);
    await waitUntil(async () => (await server.get(runPath("mailbox"))).body.status === "completed", "the run to read its letter");
    assert.equal((await server.get(runPath("mailbox"))).body.output, "the good one");
  });

  test("ids with slashes, percent signs, SQL, quotes, spaces and unicode travel percent-encoded and stay whole", async (t) => {
    const server = await openTestServer({ workflows: [inbox] });
    t.after(server.close);
    const ids = ["a/b", "x%2Fy", "'; DROP TABLE runs; --", 'say "hi"', "ünïcode ✓", "with space", "q?x=1#frag", "parent/3/..", "%"];

    for (const id of ids) {
      const started = await server.post("/api/runs", { workflow: "inbox", id });
      assert.equal(started.status, 201, `${id}: ${JSON.stringify(started.body)}`);
      assert.equal(started.body.id, id);
      assert.equal(started.headers.get("Location"), runPath(id));
    }
    for (const id of ids) {
      const run = await server.get(runPath(id));
      assert.equal(run.status, 200, `${id}: ${JSON.stringify(run.body)}`);
      assert.equal(run.body.id, id);
      assert.equal((await server.post(runPath(id, "events"), { name: "letter", payload: id })).status, 200, id);
    }
    for (const id of ids) {
      await waitUntil(async () => (await server.get(runPath(id))).body.status === "completed", `run ${id} to complete`);
      assert.equal((await server.get(runPath(id))).body.output, id);
    }
    assert.equal(await runCount(server), ids.length);

    const missing = await server.get(runPath("'; DROP TABLE runs; --x"));
    assertError(missing, 404, "RUN_NOT_FOUND", /No run with id "'; DROP TABLE runs; --x"/);
    assert.equal(missing.body.error.runId, "'; DROP TABLE runs; --x");
    assertError(await server.post(runPath("a%2Fc", "cancel")), 404, "RUN_NOT_FOUND", /"a%2Fc"/);
    assertError(await server.get(`/api/runs/${encodeURIComponent("bell\u0007")}`), 400, "INVALID_ARGUMENT", /printable characters/);
    assert.equal(await runCount(server), ids.length);
  });
});
