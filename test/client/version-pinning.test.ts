import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { child, continueAsNew, Endure, InvalidArgumentError, NonRetryableError, RunFailedError, step, workflow } from "../../src/index.js";
import { openStore } from "../../src/store/open-store.js";
import { DEFAULT_PAYLOAD_LIMIT, Serializer } from "../../src/serialization/serializer.js";
import { openTestEndure } from "../helpers/test-endure.js";

const leaf = workflow("pin-leaf", async (n: number) => n * 2);
const chain = workflow("pin-chain", async (round: number): Promise<number> => {
  const doubled = await child(leaf, [round]);
  if (round === 0) return await continueAsNew<[number]>(1);
  return doubled;
});
const echo = workflow("pin-echo", async (value: string) => value);

/** Fails until `fixed`: the bad deploy and the good one. */
let fixed = false;
const charge = step("pin-charge", async () => {
  if (!fixed) throw new NonRetryableError("the deploy has a bug");
  return "charged";
});
const order = workflow("pin-order", async () => await charge());

describe("version pinning", () => {
  test("startWorker() and retry() refuse bad versions with a message that says what to give", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const bad: [object, RegExp][] = [
      [{ version: "" }, /^startWorker\(\): version must be a version of your code \(a build id or a git sha, e\.g\. "2026-11-26\.1"\): 1 to 200 printable characters; got ""\.$/],
      [{ version: "v".repeat(201) }, /version must be .*; got "v{40}"\.\.\. \(201 characters\)\.$/],
      [{ version: 42 }, /version must be .*; got number\.$/],
      [{ compatibleWith: ["v1"] }, /^startWorker\(\): compatibleWith needs a version: give the version of this worker's code too/],
      [{ version: "v2", compatibleWith: "v1" }, /^startWorker\(\): compatibleWith must be a list of older versions, e\.g\. \["2026-11-20\.3"\]; got string\.$/],
      [{ version: "v2", compatibleWith: ["v1", 7] }, /^startWorker\(\): compatibleWith\[1\] must be a version of your code .*; got number\.$/],
      [{ version: "v2", compatibleWith: ["line\nbreak"] }, /compatibleWith\[0\] must be .*printable characters/],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(endure.startWorker({ workflows: [echo], ...options }), (error: Error) => error instanceof InvalidArgumentError && message.test(error.message));
    }
    assert.deepEqual(await endure.workers(), [], "no worker was started");
    await assert.rejects(endure.retry("some-run", { version: "" }), /^InvalidArgumentError: retry\(\): version must be a version of your code/);
  });

  test("a run started beside a versioned worker is pinned to its version, and so are its child and the run it continues as", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [chain, leaf], version: "v1" });
    t.after(close);
    const run = await endure.start(chain, [0], { id: "chain-0" });
    assert.equal(await run.result(), 2);
    const first = await endure.get("chain-0");
    const successor = await endure.get(first.continuedTo!);
    const children = await Promise.all([first, successor].map(async (each) => (await endure.list({ workflow: "pin-leaf" })).runs.filter((leafRun) => leafRun.parentId === each.id)));
    assert.deepEqual([first.version, successor.version, ...children.flat().map((leafRun) => leafRun.version)], ["v1", "v1", "v1", "v1"]);
  });

  test("a run pinned to a version no live worker serves waits, says why, and runs on a worker compatible with its version", async (t) => {
    const { endure, url, close } = await openTestEndure({ workflows: [echo], version: "v2" });
    t.after(close);
    const store = await openStore(url);
    t.after(() => store.close());
    // A run a worker of v1, gone since, claimed first.
    const input = new Serializer(DEFAULT_PAYLOAD_LIMIT).serialize(["for v1"], "input");
    await store.createRun({ id: "pinned-v1", workflow: "pin-echo", input, version: "v1" });
    // Started after it, due after it: the v2 worker claims past the v1 run.
    const unpinned = await endure.start(echo, ["anyone"], { id: "unpinned", delay: 1 });
    assert.equal(await unpinned.result(), "anyone");
    assert.equal((await endure.get("unpinned")).version, "v2", "pinned to v2 by its first claim");
    const waiting = await endure.get("pinned-v1");
    assert.equal(waiting.status, "pending");
    assert.deepEqual([waiting.diagnosis?.reason, waiting.version], ["no-worker", "v1"]);
    assert.match(
      waiting.diagnosis!.summary,
      /^Pending since .+, but it is pinned to version "v1"; no live worker serves it: the live workers of workflow "pin-echo" serve "v2"\. Start a worker of version "v1" or one compatible with it \(endure worker <file> --code-version <version> --compatible-with v1\)\.$/,
    );

    await endure.startWorker({ workflows: [echo], version: "v1.1", compatibleWith: ["v1"], pollInterval: 10 });
    assert.equal(await endure.handle("pinned-v1").result(), "for v1");
    assert.equal((await endure.get("pinned-v1")).version, "v1", "run by a compatible worker, it stays pinned to its version");
    const workers = (await endure.workers()).map(({ version, compatibleWith }) => ({ version, compatibleWith }));
    assert.deepEqual(workers.sort((a, b) => a.version!.localeCompare(b.version!)), [
      { version: "v1.1", compatibleWith: ["v1"] },
      { version: "v2", compatibleWith: [] },
    ]);
  });

  test("retry({ version }) hands a run that failed on a bad deploy to the workers of the fixed one", async (t) => {
    fixed = false;
    const { endure, url, close } = await openTestEndure({ workflows: [order], version: "bad" });
    t.after(close);
    const run = await endure.start(order, [], { id: "order-1" });
    await assert.rejects(run.result(), RunFailedError);
    assert.equal((await endure.get("order-1")).version, "bad");

    fixed = true;
    const fixedDeploy = await Endure.open({ store: url });
    try {
      await fixedDeploy.startWorker({ workflows: [order], version: "good", pollInterval: 10 });
      assert.equal(await endure.retry("order-1", { version: "good" }), "pending");
      assert.equal(await fixedDeploy.handle("order-1").result(), "charged");
      const done = await endure.get("order-1");
      assert.deepEqual([done.version, done.retries], ["good", 1]);

      // retryAll() re-pins every run it retries.
      fixed = false;
      for (const id of ["order-2", "order-3"]) await assert.rejects(endure.start(order, [], { id }).then((started) => started.result()), RunFailedError);
      fixed = true;
      await assert.rejects(endure.retryAll({ workflow: order.name }, { version: "" }), /^InvalidArgumentError: retryAll\(\): version must be a version of your code/);
      assert.deepEqual((await endure.retryAll({ workflow: order.name }, { version: "good" })).sort(), ["order-2", "order-3"]);
      for (const id of ["order-2", "order-3"]) {
        assert.equal(await fixedDeploy.handle(id).result(), "charged");
        assert.equal((await endure.get(id)).version, "good");
      }
    } finally {
      // Before the store goes (t.after runs in the order given).
      await fixedDeploy.close();
    }
  });
});
