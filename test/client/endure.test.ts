import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Endure,
  NotInWorkflowError,
  PayloadTooLargeError,
  RunFailedError,
  SerializationError,
  sleep,
  step,
  uuid,
  waitForEvent,
  workflow,
} from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";

const echo = workflow("echo", async (value: unknown) => value);

describe("Endure client", () => {
  test("starting with an existing id returns the existing run", async (t) => {
    let executions = 0;
    const effect = step("effect", async () => ++executions);
    const once = workflow("once", async () => await effect());
    const { endure, close } = await openTestEndure({ workflows: [once] });
    t.after(close);

    const first = await endure.start(once, [], { id: "order-7" });
    const second = await endure.start(once, [], { id: "order-7" });
    assert.equal(second.id, first.id);
    assert.equal(await first.result(), 1);
    assert.equal(await second.result(), 1);
    assert.equal(executions, 1);
    assert.equal((await endure.list()).runs.length, 1);
  });

  test("values round-trip through the journal: Date, Map, Set, BigInt, undefined, Error", async (t) => {
    const value = {
      at: new Date("2026-01-02T03:04:05.006Z"),
      map: new Map([["a", 1]]),
      set: new Set([1, 2]),
      big: 12345678901234567890n,
      missing: undefined,
      error: Object.assign(new RangeError("out of range"), { code: "E_RANGE" }),
    };
    const produce = step("produce", async () => value);
    const wf = workflow("round-trip", async () => await produce());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, []);
    await run.result();
    const stored = (await endure.get(run.id)).journal[0]!.output as typeof value;
    assert.deepEqual(stored.at, value.at);
    assert.deepEqual(stored.map, value.map);
    assert.deepEqual(stored.set, value.set);
    assert.equal(stored.big, value.big);
    assert.ok("missing" in stored && stored.missing === undefined);
    assert.ok(stored.error instanceof RangeError);
    assert.equal(stored.error.message, "out of range");
    assert.equal((stored.error as RangeError & { code: string }).code, "E_RANGE");
  });

  test("get() shows status, input, output, timestamps and the journal", async (t) => {
    const greet = step("greet", async (name: string) => `hello ${name}`);
    const wf = workflow("greeting", async (name: string) => {
      const id = uuid();
      return `${await greet(name)} (${id.length})`;
    });
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const run = await endure.start(wf, ["ada"], { id: "greet-ada" });
    assert.equal(await run.result(), "hello ada (36)");
    const info = await endure.get(run.id);
    assert.equal(info.id, "greet-ada");
    assert.equal(info.workflow, "greeting");
    assert.equal(info.status, "completed");
    assert.deepEqual(info.input, ["ada"]);
    assert.equal(info.output, "hello ada (36)");
    assert.ok(info.createdAt <= info.startedAt! && info.startedAt! <= info.finishedAt!);
    assert.deepEqual(info.journal.map((entry) => [entry.position, entry.kind, entry.name, entry.status]), [
      [0, "uuid", "uuid", "completed"],
      [1, "step", "greet", "completed"],
    ]);
    const greetEntry = info.journal[1]!;
    assert.equal(greetEntry.output, "hello ada");
    assert.equal(greetEntry.attempts, 1);
    assert.ok(greetEntry.startedAt! <= greetEntry.finishedAt!);
  });

  test("list() filters by status and workflow and pages with a cursor", async (t) => {
    const parked = workflow("parked", async () => await waitForEvent("never"));
    const { endure, close } = await openTestEndure();
    t.after(close);

    for (let i = 0; i < 7; i++) await endure.start(echo, [i], { id: `echo-${i}` });
    await endure.start(parked, [], { id: "parked-0" });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await endure.list({ workflow: "echo", limit: 3, cursor });
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen.sort(), Array.from({ length: 7 }, (_, i) => `echo-${i}`));
    assert.deepEqual((await endure.list({ status: "pending", workflow: "parked" })).runs.map((run) => run.id), ["parked-0"]);
    assert.equal((await endure.list({ status: "completed" })).runs.length, 0);
    await assert.rejects(endure.list({ cursor: "garbage" }), { code: "INVALID_ARGUMENT", message: /The cursor "garbage" is not one list\(\) returned/ });
    await assert.rejects(endure.list({ limit: 0 }), { code: "INVALID_ARGUMENT" });
  });

  test("a step result that cannot be journaled fails the run with an error naming the step and the type", async (t) => {
    const leak = step("leak", async () => ({ callback: () => 1 }));
    const wf = workflow("leaky", async () => await leak());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);

    const failure = await (await endure.start(wf, [])).result().catch((error: unknown) => error);
    assert.ok(failure instanceof RunFailedError);
    assert.ok(failure.cause instanceof SerializationError);
    assert.equal((failure.cause as Error).message,
      'The result of step "leak" cannot be journaled: it contains a function at .callback. Use plain data (objects, arrays, strings, numbers, Date, Map, Set, BigInt, Error).');
  });

  test("a value over the payload limit fails with an error naming the step and the size", async (t) => {
    const big = step("big", async () => "x".repeat(5000));
    const wf = workflow("bulky", async () => await big());
    const { endure, close } = await openTestEndure();
    t.after(close);
    const small = await Endure.open({ store: (endure as unknown as { store: never }).store, payloadLimit: 2048 });
    await small.startWorker({ workflows: [wf], pollInterval: 10 });
    t.after(() => small.close());

    const failure = await (await small.start(wf, [])).result().catch((error: unknown) => error);
    assert.ok(failure instanceof RunFailedError);
    assert.ok(failure.cause instanceof PayloadTooLargeError);
    assert.match((failure.cause as Error).message, /^The result of step "big" is 5004 bytes once serialized, over the payload limit of 2048 bytes/);
    await assert.rejects(small.start(echo, ["y".repeat(4000)]), { code: "PAYLOAD_TOO_LARGE", message: /The input of workflow "echo" is \d+ bytes/ });
  });
});

describe("bad input gets a clear error and writes nothing", () => {
  test("start(), send() and the durable calls refuse what they cannot use", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [echo] });
    t.after(close);

    await assert.rejects(endure.start("no-such-workflow", []), {
      code: "UNKNOWN_WORKFLOW",
      message: 'No workflow named "no-such-workflow" is registered (known: "echo"). Pass the workflow definition instead of its name, or start a worker that serves "no-such-workflow".',
    });
    await assert.rejects(endure.start(echo, [1], { id: "" }), { code: "INVALID_ARGUMENT", message: /start\("echo"\): a run id must be 1 to 255 printable characters; got ""/ });
    await assert.rejects(endure.start(echo, [1], { id: "x".repeat(256) }), { code: "INVALID_ARGUMENT", message: /\(256 characters\)/ });
    await assert.rejects(endure.start(echo, "not an array" as unknown as [unknown]), {
      code: "INVALID_ARGUMENT",
      message: 'start("echo"): args must be an array of the workflow\'s arguments, e.g. ["alice", 10]; got string.',
    });
    await assert.rejects(endure.start(echo, [() => 1]), { code: "UNSERIALIZABLE", message: /The input of workflow "echo" cannot be journaled: it contains a function at \[0\]/ });
    await assert.rejects(endure.send("", "x"), { code: "INVALID_ARGUMENT" });
    await assert.rejects(endure.get("nope"), { code: "RUN_NOT_FOUND" });
    assert.equal((await endure.list()).runs.length, 0, "no bad call wrote a run");

    await assert.rejects(sleep(10), NotInWorkflowError);
    await assert.rejects(sleep(10), /sleep\(\) was called outside a workflow/);
    assert.throws(() => workflow("", async () => 1), /workflow\(\) needs a name of 1 to 128 letters/);
    await assert.rejects(endure.startWorker({ workflows: [] }), /startWorker\(\) needs at least one workflow/);
  });

  test("a durable call inside a step names the step", async (t) => {
    const napping = step("napping-step", async () => {
      await sleep(1);
    });
    const wf = workflow("nap-in-step", async () => await napping());
    const { endure, close } = await openTestEndure({ workflows: [wf] });
    t.after(close);
    const failure = await (await endure.start(wf, [])).result().catch((error: RunFailedError) => error.cause as Error);
    assert.ok(failure instanceof NotInWorkflowError);
    assert.match(failure.message, /^sleep\(\) was called inside step "napping-step"; durable calls belong in the workflow body/);
  });

  test("a closed client refuses further use", async () => {
    const { endure, close } = await openTestEndure();
    await close();
    await assert.rejects(endure.start(echo, [1]), { code: "CLOSED", message: "This Endure client was used after close(). Open a new one with Endure.open()." });
    await assert.rejects(endure.list(), { code: "CLOSED" });
  });
});
