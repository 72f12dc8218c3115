import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CancelledError, child, defineEvent, InvalidArgumentError, NotInWorkflowError, RunFailedError, NonRetryableError, sleep, step, waitForEvent, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

describe("child runs", () => {
  test("a workflow called inside a workflow runs as a child run; the parent gets its result", async (t) => {
    const double = workflow("double", async (n: number) => n * 2);
    const parent = workflow("sum-of-doubles", async (a: number, b: number) => (await double(a)) + (await double(b)));
    const { endure, close } = await openTestEndure({ workflows: [double, parent] });
    t.after(close);

    const run = await endure.start(parent, [3, 4], { id: "family" });
    assert.equal(await run.result(), 14);
    const info = await endure.get("family");
    assert.deepEqual(info.journal.map((entry) => [entry.position, entry.kind, entry.name, entry.status, entry.output]), [
      [0, "child", "double", "completed", 6],
      [1, "child", "double", "completed", 8],
    ]);
    const first = await endure.get("family/0");
    assert.equal(first.parentId, "family");
    assert.equal(first.status, "completed");
    assert.deepEqual(first.input, [3]);
  });

  test("fans out to hundreds of children with Promise.all, in the order called", async (t) => {
    const square = workflow("square", async (n: number) => {
      await sleep(1);
      return n * n;
    });
    const fanOut = workflow("fan-out", async (count: number) => await Promise.all(Array.from({ length: count }, (_, i) => square(i))));
    const { endure, close } = await openTestEndure({ workflows: [square, fanOut], concurrency: 50 });
    t.after(close);

    const run = await endure.start(fanOut, [300]);
    assert.deepEqual(await run.result(), Array.from({ length: 300 }, (_, i) => i * i));
    const children = await endure.list({ workflow: "square", limit: 1000 });
    assert.equal(children.runs.length, 300);
    assert.ok(children.runs.every((run) => run.parentId !== null && run.status === "completed"));
  });

  test("the parent waits without holding memory and resumes when the child ends", async (t) => {
    const approve = workflow("approve", async () => await waitForEvent<string>("decision"));
    const parent = workflow("ask", async () => `answer: ${await approve()}`);
    const { endure, close } = await openTestEndure({ workflows: [approve, parent] });
    t.after(close);

    const run = await endure.start(parent, [], { id: "asker" });
    await waitUntil(async () => (await endure.get("asker")).status === "waiting" && (await endure.get("asker/0").catch(() => undefined))?.status === "waiting", "parent and child to wait");
    const waiting = await endure.get("asker");
    assert.deepEqual(waiting.waitingFor, ["endure:child:0"]);
    assert.equal(waiting.journal[0]!.status, "waiting");
    await endure.send("asker/0", "decision", "yes");
    assert.equal(await run.result(), "answer: yes");
  });

  test("a failed child rejects in the parent with RunFailedError, which the parent may catch", async (t) => {
    const broken = workflow("broken-child", async () => {
      throw new NonRetryableError("the card was declined");
    });
    const parent = workflow("careful-parent", async () => {
      try {
        await broken();
        return "unexpected";
      } catch (error) {
        return error instanceof RunFailedError && error.cause instanceof NonRetryableError ? `caught: ${error.cause.message}` : `wrong: ${String(error)}`;
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [broken, parent] });
    t.after(close);
    assert.equal(await (await endure.start(parent, [])).result(), "caught: the card was declined");
  });

  test("child() takes start options: the given id, tags and a timeout", async (t) => {
    const leaf = workflow("leaf", async (label: string) => label.toUpperCase());
    const parent = workflow("tagging-parent", async () => await child(leaf, ["x"], { id: "leaf-of-tagging", tags: ["batch-7"], timeout: "1 minute" }));
    const { endure, close } = await openTestEndure({ workflows: [leaf, parent] });
    t.after(close);
    assert.equal(await (await endure.start(parent, [])).result(), "X");
    const leafRun = await endure.get("leaf-of-tagging");
    assert.deepEqual(leafRun.tags, ["batch-7"]);
    assert.equal(leafRun.timeoutMs, 60_000);
    assert.deepEqual((await endure.list({ tags: ["batch-7"] })).runs.map((run) => run.id), ["leaf-of-tagging"]);
  });

  test("a child id that belongs to another run fails the call with a clear error, and the other run is untouched", async (t) => {
    const leaf = workflow("leaf-2", async () => "leaf");
    const other = workflow("other", async () => "other");
    const parent = workflow("clashing-parent", async () => await child(leaf, [], { id: "taken" }));
    const { endure, close } = await openTestEndure({ workflows: [leaf, other, parent] });
    t.after(close);
    await (await endure.start(other, [], { id: "taken" })).result();
    const failure = await (await endure.start(parent, [])).result().catch((error: RunFailedError) => error.cause);
    assert.ok(failure instanceof InvalidArgumentError);
    assert.match(failure.message, /the id "taken" already belongs to another run \(of workflow "other"\)/);
    assert.equal((await endure.get("taken")).parentId, null);
  });

  test("cancelling the parent cancels the children it waits for", async (t) => {
    const forever = workflow("forever-child", async () => {
      await waitForEvent("never");
    });
    const parent = workflow("cancelled-parent", async () => await Promise.all([forever(), forever()]));
    const { endure, close } = await openTestEndure({ workflows: [forever, parent] });
    t.after(close);
    const run = await endure.start(parent, [], { id: "doomed" });
    await waitUntil(async () => (await endure.list({ workflow: "forever-child" })).runs.filter((r) => r.status === "waiting").length === 2, "both children to wait");
    await endure.cancel("doomed");
    await assert.rejects(run.result(), CancelledError);
    for (const id of ["doomed/0", "doomed/1"]) {
      await assert.rejects(endure.handle(id).result(), CancelledError);
    }
  });

  test("no one can send, wait for or define an event with the name a child's end uses", async (t) => {
    const waiter = workflow("waits-for-a-reserved-name", async () => await waitForEvent("endure:child:0"));
    const { endure, close } = await openTestEndure({ workflows: [waiter] });
    t.after(close);
    const run = await endure.start(waiter, []);
    await assert.rejects(run.result(), (error: RunFailedError) => /event names starting with "endure:" are Endure's own/.test(String(error.cause)));
    const other = await endure.start(waiter, [], { id: "other" });
    await assert.rejects(endure.send(other.id, "endure:child:0", { status: "completed" }), { code: "INVALID_ARGUMENT", message: /event names starting with "endure:" are Endure's own/ });
    assert.throws(() => defineEvent("endure:child:1"), { code: "INVALID_ARGUMENT" });
  });

  test("calling a workflow definition outside a workflow says to use start()", async () => {
    const lonely = workflow("lonely", async () => "alone");
    await assert.rejects(lonely(), (error: Error) => error instanceof NotInWorkflowError && /use endure\.start\(lonely, args\)/.test(error.message));
    const inStep = step("calls-a-workflow", async () => await lonely());
    await assert.rejects(inStep(), NotInWorkflowError);
  });
});
