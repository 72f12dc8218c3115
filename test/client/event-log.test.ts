import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import {
  defineEvent,
  Endure,
  EventNotFoundError,
  InvalidArgumentError,
  InvalidEventPayloadError,
  PayloadTooLargeError,
  UnknownTriggerError,
  trigger,
  webhook,
  workflow,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

const paid = defineEvent("order.paid", { schema: z.object({ order: z.string(), amount: z.number().positive() }) });
const deploy = workflow("deploy", async (event: unknown) => event);
const notify = workflow("notify", async (event: unknown) => event);
const deployOnPush = trigger("deploy-on-push", { event: "github.push", workflow: deploy });
const notifyOnPush = trigger("notify-on-push", { event: "github.push", workflow: notify });

describe("endure.emit and endure.events", () => {
  test("emit records an event with a growing seq, its source, payload and receipt time; list pages newest first", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const before = Date.now();
    const first = await endure.emit("order.paid", { order: "o-1", amount: 10, at: new Date("2026-11-26T10:00:00Z") });
    const second = await endure.emit("order.shipped", ["o-1"], { source: "warehouse", headers: { "X-Request-Id": "r-9" } });
    const third = await endure.emit("order.paid");

    assert.ok(second.seq > first.seq && third.seq > second.seq);
    assert.deepEqual(
      { ...first, receivedAt: undefined },
      { seq: first.seq, type: "order.paid", source: "code", payload: { order: "o-1", amount: 10, at: new Date("2026-11-26T10:00:00Z") }, headers: {}, key: null, receivedAt: undefined, redispatchOf: null, duplicate: false },
    );
    assert.ok(first.receivedAt.getTime() >= before - 1000 && first.receivedAt.getTime() <= Date.now() + 1000);
    assert.deepEqual([second.source, second.headers, second.payload], ["warehouse", { "x-request-id": "r-9" }, ["o-1"]]);
    assert.equal(third.payload, null);

    const all = await endure.events.list();
    assert.deepEqual(all.events.map((event) => event.seq), [third.seq, second.seq, first.seq]);
    assert.equal(all.nextCursor, null);
    assert.deepEqual((await endure.events.list({ type: "order.paid" })).events.map((event) => event.seq), [third.seq, first.seq]);
    assert.deepEqual((await endure.events.list({ source: "warehouse" })).events.map((event) => event.seq), [second.seq]);
    const page = await endure.events.list({ limit: 2 });
    assert.deepEqual(page.events.map((event) => event.seq), [third.seq, second.seq]);
    assert.ok(page.nextCursor);
    assert.deepEqual((await endure.events.list({ limit: 2, cursor: page.nextCursor })).events.map((event) => event.seq), [first.seq]);
  });

  test("a key dedupes: the second emit records nothing and returns the first event, also when both are emitted at once", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const first = await endure.emit("order.paid", { n: 1 }, { key: "o-1-paid" });
    const again = await endure.emit("order.paid", { n: 2 }, { key: "o-1-paid" });
    assert.deepEqual(again, { ...first, duplicate: true });

    const together = await Promise.all([1, 2, 3].map((n) => endure.emit("order.paid", { n }, { key: "o-2-paid" })));
    assert.deepEqual(together.map((event) => event.duplicate), [false, true, true]);
    assert.equal(new Set(together.map((event) => event.seq)).size, 1);
    assert.deepEqual(together.map((event) => event.payload), [{ n: 1 }, { n: 1 }, { n: 1 }]);
    assert.equal((await endure.events.list()).events.length, 2);
  });

  test("a defined event's schema checks the payload, and a rejected one records nothing", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    await assert.rejects(endure.emit(paid, { order: "o-1", amount: -5 }), (error: unknown) => {
      assert.ok(error instanceof InvalidEventPayloadError);
      assert.match(error.message, /The payload of event "order\.paid" does not match the event's schema: amount: .*Nothing was sent/);
      return true;
    });
    const event = await endure.emit(paid, { order: "o-1", amount: 5 });
    assert.deepEqual([event.type, event.payload], ["order.paid", { order: "o-1", amount: 5 }]);
    assert.deepEqual((await endure.events.list()).events.map((each) => each.seq), [event.seq]);
  });

  test("a bad type, key, source, headers or payload is rejected with what to do, and records nothing", async (t) => {
    const { endure, url, close } = await openTestEndure();
    const tiny = await Endure.open({ store: url, payloadLimit: 1024 });
    t.after(async () => {
      await tiny.close();
      await close();
    });
    const invalid = async (call: Promise<unknown>, pattern: RegExp) =>
      await assert.rejects(call, (error: unknown) => error instanceof InvalidArgumentError && pattern.test(error.message));

    await invalid(endure.emit("", 1), /emit\(\): an event type must be 1 to 200 letters, digits or _ \. : - \/ .*got ""/);
    await invalid(endure.emit("has space", 1), /got "has space"/);
    await invalid(endure.emit("endure:sub:1", 1), /are Endure's own/);
    await invalid(endure.emit("a", 1, { key: "" }), /emit\("a"\): key must be 1 to 255 printable characters .*got "" \(0 characters\)/);
    await invalid(endure.emit("a", 1, { key: "k".repeat(256) }), /key must be 1 to 255 printable characters.*\(256 characters\)/);
    await invalid(endure.emit("a", 1, { key: "line\nbreak" }), /key must be 1 to 255 printable/);
    await invalid(endure.emit("a", 1, { source: "" }), /source must be 1 to 200 printable characters/);
    await invalid(endure.emit("a", 1, { headers: { "x-a": 1 as unknown as string } }), /headers: the value of "x-a" must be a string; got number/);
    await assert.rejects(tiny.emit("a", "x".repeat(2000)), (error: unknown) => error instanceof PayloadTooLargeError && /The payload of event "a" is \d+ bytes/.test(error.message));
    assert.deepEqual((await endure.events.list()).events, []);
    await invalid(endure.events.list({ limit: 0 }), /events\.list\(\): limit must be a whole number from 1 to 1000; got 0/);
    await invalid(endure.events.get(0), /events\.get\(\): seq must be an event's sequence number, a whole number from 1; got 0/);
  });

  test("get shows the event with the runs its triggers started; an unknown seq is undefined", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [deploy, notify], triggers: [deployOnPush, notifyOnPush] });
    t.after(close);
    const event = await endure.emit("github.push", { ref: "refs/heads/main" });
    await endure.emit("order.paid", {});

    const shown = await waitUntil(async () => {
      const found = await endure.events.get(event.seq);
      return found?.runs.length === 2 && found.runs.every((run) => run.status === "completed") ? found : undefined;
    }, "both triggers' runs to complete");
    assert.equal(shown.target, null);
    assert.deepEqual(shown.runs.map((run) => run.id).sort(), [`trigger:deploy-on-push:${event.seq}`, `trigger:notify-on-push:${event.seq}`]);
    assert.equal(await endure.events.get(event.seq + 100), undefined);
  });

  test("redispatch appends a copy for every trigger or one, which start new runs; unknown seq and trigger are clear errors that record nothing", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [deploy, notify], triggers: [deployOnPush, notifyOnPush] });
    t.after(close);
    const original = await endure.emit("github.push", { ref: "refs/heads/main" }, { key: "delivery-1", source: "webhook:github", headers: { "x-github-event": "push" } });

    const copy = await endure.events.redispatch(original.seq);
    assert.ok(copy.seq > original.seq);
    assert.deepEqual(
      { ...copy, seq: 0, receivedAt: 0 },
      { seq: 0, type: "github.push", source: "webhook:github", payload: { ref: "refs/heads/main" }, headers: { "x-github-event": "push" }, key: null, receivedAt: 0, redispatchOf: original.seq, target: null },
    );
    const targeted = await endure.events.redispatch(original.seq, { trigger: "notify-on-push" });
    assert.deepEqual([targeted.redispatchOf, targeted.target], [original.seq, "notify-on-push"]);

    const runsOf = async (seq: number) => (await endure.events.get(seq))!.runs.map((run) => run.id).sort();
    await waitUntil(async () => (await runsOf(targeted.seq)).length === 1 && (await runsOf(copy.seq)).length === 2, "the copies' runs");
    assert.deepEqual(await runsOf(copy.seq), [`trigger:deploy-on-push:${copy.seq}`, `trigger:notify-on-push:${copy.seq}`]);
    // Only the targeted trigger acts on the targeted copy.
    assert.deepEqual(await runsOf(targeted.seq), [`trigger:notify-on-push:${targeted.seq}`]);
    assert.equal((await endure.events.get(targeted.seq))!.target, "notify-on-push");

    await assert.rejects(endure.events.redispatch(original.seq + 100), (error: unknown) => {
      assert.ok(error instanceof EventNotFoundError);
      assert.equal(error.code, "EVENT_NOT_FOUND");
      assert.match(error.message, new RegExp(`No event with seq ${original.seq + 100} exists.*events\\.list\\(\\)`));
      return true;
    });
    await assert.rejects(endure.events.redispatch(original.seq, { trigger: "deploy" }), (error: unknown) => {
      assert.ok(error instanceof UnknownTriggerError);
      assert.equal(error.code, "UNKNOWN_TRIGGER");
      assert.match(error.message, /No trigger named "deploy" is registered \(known: "deploy-on-push", "notify-on-push"\)\. Workers register the triggers their workflow file exports/);
      return true;
    });
    const other = await endure.emit("github.issue", { number: 7 });
    await assert.rejects(endure.events.redispatch(other.seq, { trigger: "deploy-on-push" }), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.match(error.message, /trigger "deploy-on-push" acts on "github\.push" events, and event \d+ is a "github\.issue" one: it would start nothing/);
      return true;
    });
    assert.deepEqual((await endure.events.list()).events.map((event) => event.seq), [other.seq, targeted.seq, copy.seq, original.seq]);
  });

  test("triggers and webhooks list what workers registered, webhooks without their secrets", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    assert.deepEqual(await endure.events.triggers(), []);
    assert.deepEqual(await endure.events.webhooks(), []);
    const before = await endure.emit("order.paid", {});
    const worker = await endure.startWorker({
      workflows: [deploy],
      triggers: [deployOnPush],
      webhooks: [
        webhook("github", { typeHeader: "X-GitHub-Event", signature: { secret: "do-not-show-me" }, deliveryHeader: "X-GitHub-Delivery", headers: ["User-Agent"] }),
        webhook("inbox", { type: "mail.received" }),
      ],
    });
    await worker.stop();
    const after = await endure.emit("order.paid", {});

    const [trigger] = await endure.events.triggers();
    // A new trigger starts at the log's head: events before it start nothing.
    assert.deepEqual({ ...trigger, createdAt: undefined, updatedAt: undefined }, {
      name: "deploy-on-push", eventType: "github.push", workflow: "deploy", cursor: before.seq, head: after.seq, createdAt: undefined, updatedAt: undefined,
    });
    const webhooks = await endure.events.webhooks();
    assert.deepEqual(webhooks.map((hook) => ({ ...hook, updatedAt: undefined })), [
      { name: "github", type: "github", typeHeader: "x-github-event", signed: true, signatureHeader: "x-hub-signature-256", deliveryHeader: "x-github-delivery", headers: ["user-agent"], updatedAt: undefined },
      { name: "inbox", type: "mail.received", typeHeader: null, signed: false, signatureHeader: null, deliveryHeader: null, headers: [], updatedAt: undefined },
    ]);
    assert.doesNotMatch(JSON.stringify(webhooks), /do-not-show-me/);
  });
});
