import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { z } from "zod";
import {
  defineEvent,
  InvalidArgumentError,
  InvalidEventPayloadError,
  step,
  waitForEvent,
  workflow,
  type EventDefinition,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

const approval = defineEvent("approval", { schema: z.object({ approved: z.boolean(), by: z.string().min(1) }) });

/** Waits for one approval and returns it. */
const approve = workflow("typed-approve", async () => await approval.wait({ timeout: "1 hour" }));

describe("defineEvent()", () => {
  test("types: send and wait share the payload type (checked by npm run typecheck)", () => {
    const typed = defineEvent<{ n: number }>("typed");
    // Only type-checked, never called: the lines below must (or must not) compile.
    const compileOnly = async (endure: Awaited<ReturnType<typeof openTestEndure>>["endure"]) => {
      const decision: { approved: boolean; by: string } | null = await approval.wait();
      const n: { n: number } | null = await waitForEvent(typed);
      await endure.send("run", approval, { approved: true, by: "dana" });
      await endure.send("run", typed, { n: 1 });
      // @ts-expect-error: approved must be a boolean
      await endure.send("run", approval, { approved: "yes", by: "dana" });
      // @ts-expect-error: the typed event's payload has no field m
      await endure.send("run", typed, { m: 1 });
      // @ts-expect-error: the payload is required for a typed event
      await endure.send("run", typed);
      await endure.send("run", "untyped", { anything: true }); // a plain name still takes anything
      return [decision, n];
    };
    assert.equal(typeof compileOnly, "function");
  });

  test("with a schema: a valid payload reaches the waiting workflow", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [approve] });
    t.after(close);

    const run = await endure.start(approve, []);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to wait for its approval");
    assert.deepEqual(await endure.send(run.id, approval, { approved: true, by: "dana" }), { duplicate: false });
    assert.deepEqual(await run.result(), { approved: true, by: "dana" });
  });

  test("a payload the schema rejects throws InvalidEventPayloadError listing each issue; nothing is stored and the run still waits", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [approve] });
    t.after(close);

    const run = await endure.start(approve, []);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to wait for its approval");
    const journal = (await endure.get(run.id)).journal;
    const bad = { approved: "yes", by: "" } as unknown as { approved: boolean; by: string };
    const error = await endure.send(run.id, approval, bad, { key: "k1" }).then(() => assert.fail("sent"), (thrown: unknown) => thrown);
    assert.ok(error instanceof InvalidEventPayloadError, `got ${String(error)}`);
    assert.equal(error.code, "INVALID_EVENT_PAYLOAD");
    assert.equal(error.event, "approval");
    assert.deepEqual(error.issues.map((issue) => issue.path), [["approved"], ["by"]]);
    assert.match(error.message, /^The payload of event "approval" does not match the event's schema: approved: Invalid input: expected boolean, received string; by: .+\. Nothing was sent/);

    // Nothing stored: the run waits on, its journal unchanged, and the key was never taken.
    assert.equal(await run.status(), "waiting");
    assert.deepEqual((await endure.get(run.id)).journal, journal);
    assert.deepEqual(await endure.send(run.id, approval, { approved: false, by: "erin" }, { key: "k1" }), { duplicate: false });
    // The good payload is the first in the inbox: the rejected one never got there.
    assert.deepEqual(await run.result(), { approved: false, by: "erin" });
  });

  test("the workflow receives the schema's output: defaults and conversions applied at send", async (t) => {
    const order = defineEvent("order", { schema: z.object({ qty: z.coerce.number().int(), note: z.string().default("none") }) });
    const wf = workflow("typed-order", async () => await order.wait());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await endure.send(run.id, order, { qty: "3" });
    assert.deepEqual(await run.result(), { qty: 3, note: "none" });
  });

  test("an async schema is awaited: rejected and accepted payloads", async (t) => {
    const known = new Set(["dana"]);
    const approver: StandardSchemaV1<string> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: async (value) => {
          await new Promise((resolve) => setImmediate(resolve)); // e.g. a directory lookup
          return typeof value === "string" && known.has(value) ? { value } : { issues: [{ message: `unknown approver ${String(value)}` }] };
        },
      },
    };
    const signedBy = defineEvent("signed-by", { schema: approver });
    const wf = workflow("typed-async", async () => await waitForEvent(signedBy));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await assert.rejects(endure.send(run.id, signedBy, "mallory"), (error: unknown) => {
      assert.ok(error instanceof InvalidEventPayloadError);
      assert.deepEqual(error.issues, [{ path: [], message: "unknown approver mallory" }]);
      assert.match(error.message, /\(payload\): unknown approver mallory/);
      return true;
    });
    await endure.send(run.id, signedBy, "dana");
    assert.equal(await run.result(), "dana");
  });

  test("without a schema: typed only, payloads go through as they are; the plain name reaches the same wait", async (t) => {
    const ping = defineEvent<{ n: number }>("ping");
    const seen = step("seen", async (payload: unknown) => payload);
    const wf = workflow("typed-no-schema", async () => [await seen(await ping.wait()), await waitForEvent(ping)]);
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await endure.send(run.id, ping, { n: 1 });
    await endure.send(run.id, "ping", { n: 2 });
    assert.deepEqual(await run.result(), [{ n: 1 }, { n: 2 }]);
    assert.equal(ping.schema, undefined);
  });

  test("bad definitions and misuse are refused with a clear error", async (t) => {
    assert.throws(() => defineEvent(""), (error: unknown) => error instanceof InvalidArgumentError && /^defineEvent\(\) needs an event name of 1 to 200 characters; got ""/.test(error.message));
    assert.throws(
      () => defineEvent("x", { schema: { parse: () => 1 } as unknown as StandardSchemaV1 }),
      (error: unknown) => error instanceof InvalidArgumentError && /options\.schema must be a Standard Schema \(e\.g\. a zod, valibot or arktype schema\)/.test(error.message),
    );
    await assert.rejects(approval.wait(), { code: "NOT_IN_WORKFLOW", message: /^waitForEvent\(\) was called outside a workflow/ });

    const wf = workflow("typed-bad-wait", async () => await waitForEvent({ kind: "event" } as unknown as EventDefinition<unknown>));
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const run = await endure.start(wf, []);
    await assert.rejects(run.result(), (error: unknown) => {
      const cause = (error as Error).cause;
      assert.ok(cause instanceof InvalidArgumentError, `got ${String(error)}`);
      assert.match(cause.message, /^waitForEvent\(\) needs an event name of 1 to 200 characters, or an event from defineEvent\(\); got \{"kind":"event"\}/);
      return true;
    });
    await assert.rejects(endure.send(run.id, approval, { approved: true, by: "dana" }), { code: "RUN_FINISHED" });
  });
});
