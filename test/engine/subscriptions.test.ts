import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { defineEvent, Endure, InvalidArgumentError, type LoggedEvent, step, subscribe, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

interface Comment {
  pr: number;
  text: string;
}

/** Takes the next `count` comments on one pull request, whatever else is said meanwhile. */
const collectComments = workflow("collect-comments", async (pr: number, count: number) => {
  const comments = await subscribe<Comment>("github.comment", { filter: (event) => event.payload.pr === pr });
  const taken: LoggedEvent<Comment>[] = [];
  while (taken.length < count) taken.push((await comments.next())!);
  return taken.map((event) => ({ seq: event.seq, text: event.payload.text, source: event.source }));
});

const ask = step("ask", async (question: string) => `asked: ${question}`);

/** Asks, then waits up to `timeout` for a reply: a human in the loop. */
const askAndWait = workflow("ask-and-wait", async (timeout: string) => {
  const replies = await subscribe<{ answer: string }>("chat.reply");
  await ask("deploy?");
  const reply = await replies.next({ timeout });
  return reply === null ? "no reply" : reply.payload.answer;
});

/** Listens forever with for await, until it has heard `count` events. */
const listen = workflow("listen", async (count: number) => {
  const heard: unknown[] = [];
  for await (const event of await subscribe("ping")) {
    heard.push(event.payload);
    if (heard.length === count) return heard;
  }
  return heard;
});

const subscribed = async (endure: { get(id: string): Promise<{ journal: { kind: string }[] }> }, runId: string) =>
  (await endure.get(runId)).journal.some((entry) => entry.kind === "subscribe");

describe("subscribe()", () => {
  test("next() takes the events of the type appended after the subscription, in order, through the filter", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [collectComments] });
    t.after(close);

    await endure.emit("github.comment", { pr: 7, text: "before the subscription" });
    const run = await endure.start(collectComments, [7, 2]);
    await waitUntil(() => subscribed(endure, run.id), "the run to subscribe");
    await endure.emit("github.comment", { pr: 8, text: "another pull request" });
    const first = await endure.emit("github.comment", { pr: 7, text: "first" });
    await endure.emit("github.issue", { pr: 7, text: "another type" });
    const second = await endure.emit("github.comment", { pr: 7, text: "second" }, { source: "test" });
    await endure.emit("github.comment", { pr: 7, text: "after" });

    assert.deepEqual(await run.result(), [
      { seq: first.seq, text: "first", source: "code" },
      { seq: second.seq, text: "second", source: "test" },
    ]);
  });

  test("an event appended while the run waits suspended wakes it; the subscription survives the worker's restart", async (t) => {
    const { endure, url, close } = await openTestEndure({ workflows: [collectComments] });
    const others: Endure[] = [];
    // The second client first: its worker stops before the store is removed.
    t.after(async () => {
      for (const other of others) await other.close();
      await close();
    });

    const run = await endure.start(collectComments, [1, 3]);
    await waitUntil(async () => (await run.status()) === "waiting", "the run to wait for a comment");
    await endure.emit("github.comment", { pr: 1, text: "one" });
    await waitUntil(async () => (await endure.get(run.id)).journal.filter((entry) => entry.kind === "event" && entry.status === "completed").length === 1, "the first comment to be taken");
    await endure.close();

    // No worker runs: the events wait in the run's inbox.
    const emitter = await Endure.open({ store: url });
    others.push(emitter);
    await emitter.emit("github.comment", { pr: 1, text: "two" });
    await emitter.emit("github.comment", { pr: 2, text: "not this one" });
    await emitter.emit("github.comment", { pr: 1, text: "three" });
    await emitter.startWorker({ workflows: [collectComments], pollInterval: 10 });
    const texts = ((await emitter.handle(run.id).result()) as { text: string }[]).map((comment) => comment.text);
    assert.deepEqual(texts, ["one", "two", "three"]);
  });

  test("a human in the loop: the reply arrives, or the timeout passes first", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [askAndWait] });
    t.after(close);

    const answered = await endure.start(askAndWait, ["1 hour"], { id: "answered" });
    await waitUntil(async () => (await endure.get(answered.id)).journal.some((entry) => entry.name === "ask" && entry.status === "completed"), "the question to be asked");
    await endure.emit("chat.reply", { answer: "yes" });
    assert.equal(await answered.result(), "yes");

    const unanswered = await endure.start(askAndWait, ["300ms"], { id: "unanswered" });
    assert.equal(await unanswered.result(), "no reply");
  });

  test("for await listens in a loop; each run hears the events once", async (t) => {
    const { endure, close } = await openTestEndure({ workflows: [listen] });
    t.after(close);

    const runs = await Promise.all([endure.start(listen, [3]), endure.start(listen, [3])]);
    for (const run of runs) await waitUntil(() => subscribed(endure, run.id), "the runs to subscribe");
    for (const n of [1, 2, 3, 4]) await endure.emit("ping", n);
    for (const run of runs) assert.deepEqual(await run.result(), [1, 2, 3]);
  });

  test("typed with defineEvent(); a filter that throws fails next() with its error", async (t) => {
    const order = defineEvent<{ id: string; total: number }>("shop.order");
    const bigOrder = workflow("big-order", async () => {
      const orders = await subscribe(order, { filter: (event) => event.payload.total > 100 });
      return (await orders.next())!.payload.id;
    });
    const fragile = workflow("fragile-filter", async () => {
      const orders = await subscribe(order, {
        filter: (event) => {
          if (event.payload.total < 0) throw new RangeError(`order ${event.payload.id} has a negative total`);
          return true;
        },
      });
      try {
        await orders.next();
        return "no error";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [bigOrder, fragile] });
    t.after(close);

    const big = await endure.start(bigOrder, []);
    const broken = await endure.start(fragile, []);
    for (const run of [big, broken]) await waitUntil(() => subscribed(endure, run.id), "the runs to subscribe");
    await endure.emit(order, { id: "small", total: -5 });
    await endure.emit(order, { id: "large", total: 500 });
    assert.equal(await big.result(), "large");
    assert.equal(await broken.result(), "RangeError: order small has a negative total");
  });

  test("bad input: a reserved or malformed type, a filter that is not a function", async (t) => {
    const attempts = {
      reserved: () => subscribe("endure:child:1"),
      empty: () => subscribe(""),
      spaced: () => subscribe("has spaces"),
      filter: () => subscribe("ok", { filter: "yes" as unknown as () => boolean }),
    };
    const probe = workflow("subscribe-bad-input", async (which: keyof typeof attempts) => {
      try {
        await attempts[which]();
        return "accepted";
      } catch (error) {
        return error instanceof InvalidArgumentError ? error.message : `unexpected ${String(error)}`;
      }
    });
    const { endure, close } = await openTestEndure({ workflows: [probe] });
    t.after(close);

    assert.match((await (await endure.start(probe, ["reserved"])).result()) as string, /event types starting with "endure:" are Endure's own/);
    assert.match((await (await endure.start(probe, ["empty"])).result()) as string, /an event type must be 1 to 200 letters/);
    assert.match((await (await endure.start(probe, ["spaced"])).result()) as string, /got "has spaces"/);
    assert.match((await (await endure.start(probe, ["filter"])).result()) as string, /filter must be a function/);
    await assert.rejects(subscribe("ping"), { code: "NOT_IN_WORKFLOW" });
  });
});
