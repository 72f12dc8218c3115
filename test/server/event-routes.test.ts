import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { trigger, webhook, workflow } from "../../src/index.js";
import { openTestServer } from "../helpers/test-server.js";
import { waitUntil } from "../helpers/wait-until.js";

const deploy = workflow("deploy", async (event: unknown) => event);
const deployOnPush = trigger("deploy-on-push", { event: "github.push", workflow: deploy });

describe("the event log's routes", () => {
  test("POST /api/events records an event (201), a repeated key answers 200 duplicate; GET lists and filters them", async (t) => {
    const server = await openTestServer();
    t.after(server.close);

    const created = await server.post("/api/events", { type: "order.paid", payload: { order: "o-7", amount: 42 }, key: "o-7-paid" });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get("Location"), `/api/events/${created.body.seq}`);
    assert.deepEqual({ ...created.body, receivedAt: typeof created.body.receivedAt }, {
      seq: created.body.seq, type: "order.paid", source: "api", payload: { order: "o-7", amount: 42 }, headers: {}, key: "o-7-paid", receivedAt: "string", redispatchOf: null, duplicate: false,
    });
    const again = await server.post("/api/events", { type: "order.paid", payload: { other: true }, key: "o-7-paid" });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { ...created.body, duplicate: true });
    const shipped = await server.post("/api/events", { type: "order.shipped", source: "warehouse" });
    assert.deepEqual([shipped.status, shipped.body.source, shipped.body.payload], [201, "warehouse", null]);

    const all = await server.get("/api/events");
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.events.map((event: { seq: number }) => event.seq), [shipped.body.seq, created.body.seq]);
    assert.deepEqual((await server.get("/api/events?type=order.paid")).body.events.map((event: { seq: number }) => event.seq), [created.body.seq]);
    assert.deepEqual((await server.get("/api/events?source=warehouse")).body.events.map((event: { seq: number }) => event.seq), [shipped.body.seq]);
    const page = await server.get("/api/events?limit=1");
    assert.deepEqual(page.body.events.map((event: { seq: number }) => event.seq), [shipped.body.seq]);
    const next = await server.get(`/api/events?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`);
    assert.deepEqual(next.body.events.map((event: { seq: number }) => event.seq), [created.body.seq]);
  });

  test("bad input is answered 400 with what to do, and records nothing", async (t) => {
    const server = await openTestServer();
    t.after(server.close);
    const cases: [unknown, number, string, RegExp][] = [
      [{ type: "bad type" }, 400, "INVALID_ARGUMENT", /an event type must be 1 to 200 letters/],
      [{ payload: 1 }, 400, "INVALID_REQUEST", /body\.type/],
      [{ type: "a", key: "" }, 400, "INVALID_ARGUMENT", /key must be 1 to 255 printable characters/],
      [{ type: "a", extra: 1 }, 400, "INVALID_REQUEST", /extra/],
      ['{"type": "a",', 400, "MALFORMED_JSON", /not valid JSON/],
      [{ type: "a", payload: "x".repeat(2 * 1024 * 1024) }, 413, "BODY_TOO_LARGE", /limit/],
    ];
    for (const [body, status, code, message] of cases) {
      const answer = await server.post("/api/events", body);
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, code);
      assert.match(answer.body.error.message, message);
    }
    assert.deepEqual((await server.get("/api/events")).body.events, []);
    assert.equal((await server.get("/api/events?limit=0")).status, 400);
    assert.equal((await server.get("/api/events?limit=abc")).body.error.code, "INVALID_REQUEST");
  });

  test("GET /api/events/{seq} shows the event with the runs it started; unknown and malformed seqs are 404 and 400", async (t) => {
    const server = await openTestServer({ workflows: [deploy], triggers: [deployOnPush] });
    t.after(server.close);
    const event = (await server.post("/api/events", { type: "github.push", payload: { ref: "refs/heads/main" } })).body;

    const shown = await waitUntil(async () => {
      const answer = await server.get(`/api/events/${event.seq}`);
      return answer.body.runs?.[0]?.status === "completed" ? answer : undefined;
    }, "the trigger's run to complete");
    assert.equal(shown.status, 200);
    assert.deepEqual([shown.body.seq, shown.body.type, shown.body.target], [event.seq, "github.push", null]);
    assert.deepEqual(shown.body.runs.map((run: { id: string; tags: string[] }) => [run.id, run.tags.sort()]), [
      [`trigger:deploy-on-push:${event.seq}`, [`event:${event.seq}`, "trigger:deploy-on-push"]],
    ]);

    const missing = await server.get(`/api/events/${event.seq + 100}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "EVENT_NOT_FOUND");
    assert.match(missing.body.error.message, new RegExp(`No event with seq ${event.seq + 100} exists.*GET /api/events`));
    for (const seq of ["abc", "0", "-1", "1.5"]) assert.equal((await server.get(`/api/events/${seq}`)).status, 400, seq);
  });

  test("POST /api/events/{seq}/redispatch appends a copy (201); an unknown seq is 404, an unknown trigger 400 listing the known", async (t) => {
    const server = await openTestServer({ workflows: [deploy], triggers: [deployOnPush] });
    t.after(server.close);
    const event = (await server.post("/api/events", { type: "github.push", payload: { ref: "refs/heads/main" }, key: "d-1" })).body;

    const copy = await server.post(`/api/events/${event.seq}/redispatch`);
    assert.equal(copy.status, 201);
    assert.equal(copy.headers.get("Location"), `/api/events/${copy.body.seq}`);
    assert.deepEqual([copy.body.redispatchOf, copy.body.target, copy.body.key, copy.body.payload], [event.seq, null, null, { ref: "refs/heads/main" }]);
    const targeted = await server.post(`/api/events/${event.seq}/redispatch`, { trigger: "deploy-on-push" });
    assert.deepEqual([targeted.status, targeted.body.target], [201, "deploy-on-push"]);
    // Each copy starts a run of its own.
    await waitUntil(async () => (await server.get(`/api/events/${targeted.body.seq}`)).body.runs.length === 1, "the copy's run");
    assert.deepEqual((await server.get(`/api/events/${copy.body.seq}`)).body.runs.map((run: { id: string }) => run.id), [`trigger:deploy-on-push:${copy.body.seq}`]);

    const missing = await server.post(`/api/events/${event.seq + 100}/redispatch`, {});
    assert.deepEqual([missing.status, missing.body.error.code], [404, "EVENT_NOT_FOUND"]);
    const unknown = await server.post(`/api/events/${event.seq}/redispatch`, { trigger: "deploy" });
    assert.deepEqual([unknown.status, unknown.body.error.code], [400, "UNKNOWN_TRIGGER"]);
    assert.match(unknown.body.error.message, /No trigger named "deploy" is registered \(known: "deploy-on-push"\)/);
    assert.equal((await server.get("/api/events")).body.events.length, 3);
  });

  test("GET /api/triggers and /api/webhooks list what workers registered, webhooks without secrets", async (t) => {
    const github = webhook("github", { typeHeader: "X-GitHub-Event", signature: { secret: "do-not-show-me" } });
    const server = await openTestServer({ workflows: [deploy], triggers: [deployOnPush], webhooks: [github] });
    t.after(server.close);
    const triggers = await server.get("/api/triggers");
    assert.equal(triggers.status, 200);
    const [registered] = triggers.body.triggers;
    assert.deepEqual([registered.name, registered.eventType, registered.workflow, registered.cursor, registered.head], ["deploy-on-push", "github.push", "deploy", 0, 0]);
    assert.ok(!Number.isNaN(Date.parse(registered.createdAt)));
    const webhooks = await server.get("/api/webhooks");
    assert.equal(webhooks.status, 200);
    assert.deepEqual(webhooks.body.webhooks.map((hook: { name: string; signed: boolean; signatureHeader: string }) => [hook.name, hook.signed, hook.signatureHeader]), [
      ["github", true, "x-hub-signature-256"],
    ]);
    assert.doesNotMatch(JSON.stringify(webhooks.body), /do-not-show-me/);
  });

  test("the webhook route takes POST only", async (t) => {
    const server = await openTestServer();
    t.after(server.close);
    // (test/server/api.test.ts checks every route is in the OpenAPI document.)
    const wrongMethod = await server.get("/webhooks/github");
    assert.deepEqual([wrongMethod.status, wrongMethod.headers.get("Allow")], [405, "POST"]);
  });
});
