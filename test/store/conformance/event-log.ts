import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DispatchRequest, LogEventRecord, NewLogEvent, NewSubscription, TriggerRecord } from "../../../src/store/event-log-store.js";
import type { ClaimedRun, NewRun, Store } from "../../../src/store/store.js";
import { commitFor, completed, ended, LEASE_MS, newRun, waiting } from "../builders.js";
import { T0, type SuiteContext } from "./context.js";

/** An event of type "order.paid" from "api" whose payload names `id`. */
function newLogEvent(id: string, overrides: Partial<NewLogEvent> = {}): NewLogEvent {
  return { type: "order.paid", source: "api", payload: JSON.stringify({ id }), ...overrides };
}

/** What the default plan starts for an event: a run of "wf" whose id derives from the trigger and the event. */
const runIdOf = (trigger: string, seq: number) => `trigger:${trigger}:${seq}`;
const startEach = (trigger: TriggerRecord, events: readonly LogEventRecord[]): NewRun[] =>
  events.map((event) => ({ id: runIdOf(trigger.name, event.seq), workflow: trigger.workflow, input: JSON.stringify([event.seq]) }));

/** The JSON object an event reaches a subscribed run's inbox as. */
const delivered = (event: LogEventRecord) => ({
  seq: event.seq, type: event.type, source: event.source, payload: event.payload, headers: event.headers, key: event.key, receivedAt: event.receivedAt,
});

export function eventLogTests(t: SuiteContext): void {
  const append = async (...events: NewLogEvent[]) => (await t.store.appendEvents(events)).map((appended) => appended.event);
  const dispatch = (request: Partial<DispatchRequest> = {}, store: Store = t.store) =>
    store.dispatchEvents({ triggers: ["paid"], limit: 10, plan: startEach, ...request });
  const createdIds = async (request: Partial<DispatchRequest> = {}) => (await dispatch(request)).created.map((run) => run.id);
  const registerPaid = () => t.store.registerTriggers([{ name: "paid", eventType: "order.paid", workflow: "wf" }]);

  describe("event log", () => {
    it("retention deletes old events that every trigger of their type has read, oldest first, and frees their keys", async () => {
      await registerPaid();
      await t.store.registerTriggers([{ name: "shipped", eventType: "order.shipped", workflow: "wf" }]);
      const [read, unread, other] = await append(
        newLogEvent("read", { key: "k-read" }),
        newLogEvent("unread"),
        newLogEvent("no trigger", { type: "order.refunded" }),
      );
      // "paid" reads one event; "shipped" has no event at all, and so holds nothing back.
      await dispatch({ limit: 1 });
      t.clock.advance(1000);
      const [recent] = await append(newLogEvent("recent"));

      assert.equal(await t.store.deleteOldEvents(T0 + 1000, 10), 2);
      assert.equal(await t.store.getEvent(read!.seq), undefined, "read by its trigger, past retention");
      assert.equal(await t.store.getEvent(other!.seq), undefined, "no trigger of its type, past retention");
      assert.deepEqual(await t.store.getEvent(unread!.seq), unread, "its trigger has not read it yet");
      assert.deepEqual(await t.store.getEvent(recent!.seq), recent, "within retention");
      const [again] = await t.store.appendEvents([newLogEvent("read again", { key: "k-read" })]);
      assert.equal(again!.duplicate, false, "a deleted event's key is free");

      await dispatch();
      assert.equal(await t.store.deleteOldEvents(T0 + 1000, 1), 1, "once read, the unread one goes, one at a time");
      assert.equal(await t.store.deleteOldEvents(T0 + 1000, 10), 0);
      assert.deepEqual((await t.store.listEvents({ limit: 10 })).events.map((event) => event.seq), [again!.event.seq, recent!.seq]);
    });

    it("appends events in order with growing seqs, at the store clock's time; head is the last seq", async () => {
      assert.equal(await t.store.eventLogHead(), 0, "an empty log");
      const [first, second] = await append(newLogEvent("a"), newLogEvent("b", { type: "order.shipped", source: "webhook:shop", headers: '{"x-id":"7"}' }));
      assert.deepEqual(first, {
        seq: first!.seq, type: "order.paid", source: "api", payload: '{"id":"a"}', headers: null, key: null, receivedAt: T0, redispatchOf: null, target: null,
      });
      assert.ok(second!.seq > first!.seq);
      assert.deepEqual([second!.type, second!.source, second!.headers], ["order.shipped", "webhook:shop", '{"x-id":"7"}']);
      t.clock.advance(5);
      const [copy] = await append(newLogEvent("a", { redispatchOf: first!.seq, target: "paid" }));
      assert.ok(copy!.seq > second!.seq);
      assert.deepEqual([copy!.receivedAt, copy!.redispatchOf, copy!.target], [T0 + 5, first!.seq, "paid"]);
      assert.equal(await t.store.eventLogHead(), copy!.seq);
      assert.deepEqual(await t.store.getEvent(second!.seq), second);
      assert.equal(await t.store.getEvent(copy!.seq + 1), undefined);
    });

    it("records a key once: a repeat, in a later call or the same batch, returns the first event and writes nothing", async () => {
      const [first] = await t.store.appendEvents([newLogEvent("a", { key: "delivery-1" })]);
      assert.equal(first?.duplicate, false);
      const head = await t.store.eventLogHead();
      t.clock.advance(10);
      const again = await t.store.appendEvents([
        newLogEvent("changed", { key: "delivery-1" }),
        newLogEvent("b", { key: "delivery-2" }),
        newLogEvent("b again", { key: "delivery-2" }),
        newLogEvent("no key"),
      ]);
      assert.deepEqual(again.map((appended) => appended.duplicate), [true, false, true, false]);
      assert.deepEqual(again[0]!.event, first!.event, "the first event, unchanged");
      assert.deepEqual(again[2]!.event, again[1]!.event, "the batch's first event with that key");
      assert.equal(await t.store.eventLogHead(), again[3]!.event.seq);
      assert.equal((await t.store.listEvents({ limit: 10 })).events.length, 3, "duplicates wrote nothing");
      assert.ok(again[1]!.event.seq > head);
    });

    it("lists newest first, by type and by source, in pages; a last page exactly full has no next cursor", async () => {
      const events = await append(
        newLogEvent("1"), newLogEvent("2", { type: "order.shipped" }), newLogEvent("3", { source: "cli" }),
        newLogEvent("4"), newLogEvent("5", { type: "order.shipped", source: "cli" }),
      );
      const seqs = (list: readonly LogEventRecord[]) => list.map((event) => event.seq);
      const all = await t.store.listEvents({ limit: 10 });
      assert.deepEqual(seqs(all.events), seqs(events).reverse());
      assert.equal(all.nextCursor, null);

      const first = await t.store.listEvents({ limit: 2 });
      assert.deepEqual(seqs(first.events), [events[4]!.seq, events[3]!.seq]);
      assert.ok(first.nextCursor);
      const second = await t.store.listEvents({ limit: 2, cursor: first.nextCursor });
      assert.deepEqual(seqs(second.events), [events[2]!.seq, events[1]!.seq]);
      const last = await t.store.listEvents({ limit: 2, cursor: second.nextCursor! });
      assert.deepEqual([seqs(last.events), last.nextCursor], [[events[0]!.seq], null]);

      const paid = await t.store.listEvents({ type: "order.paid", limit: 3 });
      assert.deepEqual([seqs(paid.events), paid.nextCursor], [[events[3]!.seq, events[2]!.seq, events[0]!.seq], null], "exactly full: no next page");
      const fromCli = await t.store.listEvents({ source: "cli", limit: 10 });
      assert.deepEqual(seqs(fromCli.events), [events[4]!.seq, events[2]!.seq]);
      const both = await t.store.listEvents({ type: "order.shipped", source: "cli", limit: 10 });
      assert.deepEqual(seqs(both.events), [events[4]!.seq]);
      await assert.rejects(t.store.listEvents({ limit: 2, cursor: "nonsense" }), { code: "INVALID_ARGUMENT", message: /is not one list\(\) returned/ });
    });
  });

  describe("triggers", () => {
    it("starts a new trigger at the log's head; a known one keeps its cursor and takes the new type and workflow", async () => {
      await append(newLogEvent("before"));
      const head = await t.store.eventLogHead();
      await t.store.registerTriggers([{ name: "paid", eventType: "order.paid", workflow: "wf" }, { name: "audit", eventType: "order.shipped", workflow: "audit" }]);
      assert.deepEqual(await t.store.listTriggers(), [
        { name: "audit", eventType: "order.shipped", workflow: "audit", cursor: head, createdAt: T0, updatedAt: T0 },
        { name: "paid", eventType: "order.paid", workflow: "wf", cursor: head, createdAt: T0, updatedAt: T0 },
      ]);
      assert.deepEqual(await createdIds(), [], "an event from before the trigger existed starts nothing");

      const [event] = await append(newLogEvent("after"));
      await createdIds();
      t.clock.advance(1_000);
      await append(newLogEvent("later"));
      await t.store.registerTriggers([{ name: "paid", eventType: "order.settled", workflow: "wf2" }]);
      const [, paid] = await t.store.listTriggers();
      assert.deepEqual(paid, { name: "paid", eventType: "order.settled", workflow: "wf2", cursor: event!.seq, createdAt: T0, updatedAt: T0 + 1_000 });
      await t.store.registerTriggers([{ name: "audit", eventType: "a", workflow: "wf" }, { name: "audit", eventType: "b", workflow: "wf" }]);
      assert.equal((await t.store.listTriggers())[0]?.eventType, "b", "a name given twice in one call: the last wins");
    });

    it("dispatches each event once, oldest first: the plan's runs start and the cursor moves past the events read", async () => {
      await registerPaid();
      const events = await append(newLogEvent("a"), newLogEvent("other", { type: "order.shipped" }), newLogEvent("b"));
      const planned: number[][] = [];
      const first = await dispatch({ plan: (trigger, read) => (planned.push(read.map((event) => event.seq)), startEach(trigger, read)) });
      assert.deepEqual(planned, [[events[0]!.seq, events[2]!.seq]], "only events of the trigger's type, oldest first");
      assert.deepEqual(first.created.map((run) => [run.id, run.workflow, run.status, run.input]), [
        [runIdOf("paid", events[0]!.seq), "wf", "pending", JSON.stringify([events[0]!.seq])],
        [runIdOf("paid", events[2]!.seq), "wf", "pending", JSON.stringify([events[2]!.seq])],
      ]);
      assert.equal(first.more, false);
      assert.equal((await t.store.listTriggers())[0]?.cursor, events[2]!.seq);
      assert.deepEqual(await createdIds(), [], "nothing new: nothing dispatched twice");
      assert.deepEqual(await createdIds({ triggers: ["unknown"] }), [], "an unknown trigger is ignored");
    });

    it("moves the cursor past events the plan starts nothing for (filtered out)", async () => {
      await registerPaid();
      const [event] = await append(newLogEvent("a"));
      assert.deepEqual(await createdIds({ plan: () => [] }), []);
      assert.equal((await t.store.listTriggers())[0]?.cursor, event!.seq);
    });

    it("dispatches only the named triggers", async () => {
      await t.store.registerTriggers([{ name: "paid", eventType: "order.paid", workflow: "wf" }, { name: "also-paid", eventType: "order.paid", workflow: "wf" }]);
      const [event] = await append(newLogEvent("a"));
      assert.deepEqual(await createdIds(), [runIdOf("paid", event!.seq)]);
      assert.equal((await t.store.listTriggers())[0]?.cursor, 0, "also-paid was not dispatched: its cursor stayed");
      assert.deepEqual(await createdIds({ triggers: ["also-paid", "paid"] }), [runIdOf("also-paid", event!.seq)]);
    });

    it("gives an event targeted at one trigger to that trigger only", async () => {
      await t.store.registerTriggers([{ name: "paid", eventType: "order.paid", workflow: "wf" }, { name: "also-paid", eventType: "order.paid", workflow: "wf" }]);
      const [event] = await append(newLogEvent("again", { target: "also-paid" }));
      assert.deepEqual(await createdIds({ triggers: ["paid", "also-paid"] }), [runIdOf("also-paid", event!.seq)]);
    });

    it("leaves a run whose id exists as it is, and reports only the runs it created", async () => {
      await registerPaid();
      const [a, b] = await append(newLogEvent("a"), newLogEvent("b"));
      await t.store.createRun({ id: runIdOf("paid", a!.seq), workflow: "wf", input: '["first"]' });
      assert.deepEqual(await createdIds(), [runIdOf("paid", b!.seq)]);
      assert.equal((await t.run(runIdOf("paid", a!.seq))).input, '["first"]');
      assert.equal((await t.store.listTriggers())[0]?.cursor, b!.seq);
    });

    it("reads at most limit events per trigger and says there are more", async () => {
      await registerPaid();
      const events = await append(newLogEvent("a"), newLogEvent("b"), newLogEvent("c"));
      const first = await dispatch({ limit: 2 });
      assert.deepEqual([first.created.length, first.more], [2, true]);
      assert.equal((await t.store.listTriggers())[0]?.cursor, events[1]!.seq);
      const second = await dispatch({ limit: 2 });
      assert.deepEqual([second.created.map((run) => run.id), second.more], [[runIdOf("paid", events[2]!.seq)], false]);
    });

    it("rolls a trigger's dispatch back when its plan throws, and rethrows", async () => {
      await registerPaid();
      const [event] = await append(newLogEvent("a"));
      const broken = new Error("the filter threw");
      await assert.rejects(dispatch({ plan: (trigger, events) => [...startEach(trigger, events), ...(() => { throw broken; })()] }), broken);
      assert.equal((await t.store.listTriggers())[0]?.cursor, 0, "the cursor did not move");
      assert.equal(await t.store.getRun(runIdOf("paid", event!.seq)), undefined);
      assert.deepEqual(await createdIds(), [runIdOf("paid", event!.seq)], "the next dispatch reads the event again");
    });

    it("two handles dispatching at once never start an event's run twice", async (context) => {
      if (!t.fixture.connectAgain) return context.skip("this storage cannot be opened twice");
      const other = await t.fixture.connectAgain();
      await registerPaid();
      const started: string[] = [];
      let appended = 0;
      for (let round = 0; round < 5; round += 1) {
        appended += (await append(...Array.from({ length: 7 }, (_, i) => newLogEvent(`${round}-${i}`)))).length;
        const results = await Promise.all([dispatch({ limit: 3 }), dispatch({ limit: 3 }, other), dispatch({ limit: 3 }), dispatch({ limit: 3 }, other)]);
        started.push(...results.flatMap((result) => result.created.map((run) => run.id)));
      }
      for (let more = true; more;) {
        const rest = await dispatch({ limit: 3 }, other);
        started.push(...rest.created.map((run) => run.id));
        more = rest.more;
      }
      assert.equal(new Set(started).size, started.length, "no run started twice");
      assert.equal((await t.store.listRuns({ limit: 100 })).runs.length, appended, "every event started one run");
    });
  });

  describe("webhooks", () => {
    it("creates and replaces webhooks by name; get and list return them", async () => {
      await t.store.upsertWebhooks([{ name: "shop", definition: '{"eventType":"order.paid"}' }, { name: "git", definition: '{"eventType":"push"}' }]);
      t.clock.advance(1_000);
      await t.store.upsertWebhooks([{ name: "shop", definition: '{"eventType":"order.settled"}' }]);
      assert.deepEqual(await t.store.getWebhook("shop"), { name: "shop", definition: '{"eventType":"order.settled"}', updatedAt: T0 + 1_000 });
      assert.deepEqual(await t.store.listWebhooks(), [
        { name: "git", definition: '{"eventType":"push"}', updatedAt: T0 },
        { name: "shop", definition: '{"eventType":"order.settled"}', updatedAt: T0 + 1_000 },
      ]);
      assert.equal(await t.store.getWebhook("missing"), undefined);
      await t.store.upsertWebhooks([{ name: "git", definition: "1" }, { name: "git", definition: "2" }]);
      assert.equal((await t.store.getWebhook("git"))?.definition, "2", "a name given twice in one call: the last wins");
    });
  });

  describe("subscriptions", () => {
    const SUB = "endure:sub:3";
    const subscription: NewSubscription = { position: 3, eventType: "order.paid" };
    /** A run that subscribed to order.paid at position 3 and waits for it (null: no timer). */
    const subscribedRun = async (dueAt: number | null = null): Promise<ClaimedRun> => {
      const claimed = await t.startRun();
      const [applied] = await t.store.commit("worker-1", [commitFor(claimed, { subscriptions: [subscription], outcome: waiting(dueAt, [SUB]) })]);
      assert.equal(applied, true);
      return claimed;
    };
    const inboxOf = (claimed: ClaimedRun | undefined) => claimed?.inbox.map(({ name, payload, sentAt }) => ({ name, payload: JSON.parse(payload) as unknown, sentAt }));

    it("delivers an event appended after the subscribing commit to the run's inbox, and wakes the run waiting for it", async () => {
      const claimed = await subscribedRun();
      t.clock.advance(1_000);
      const [event] = await append(newLogEvent("a", { key: "k-1", headers: '{"x-id":"7"}' }));
      const run = await t.run(claimed.run.id);
      assert.deepEqual([run.status, run.dueAt], ["waiting", t.clock.now()]);
      const [woken] = await t.claim("worker-2");
      assert.equal(woken?.run.id, claimed.run.id, "claimable at once");
      assert.deepEqual(inboxOf(woken), [{ name: SUB, payload: delivered(event!), sentAt: t.clock.now() }]);
    });

    it("keeps delivering while the run is running, without disturbing it; a repeated subscription is kept once", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { subscriptions: [subscription] })]);
      await t.store.commit("worker-1", [commitFor(claimed, { subscriptions: [subscription] })]);
      const [event] = await append(newLogEvent("a"));
      const running = await t.run(claimed.run.id);
      assert.deepEqual([running.status, running.dueAt], ["running", claimed.run.dueAt]);
      t.clock.advance(LEASE_MS);
      const [again] = await t.claim("worker-2");
      assert.deepEqual(inboxOf(again), [{ name: SUB, payload: delivered(event!), sentAt: T0 }], "delivered once");
    });

    it("writes the subscriptions of a transaction's journal commit", async () => {
      const claimed = await t.startRun();
      const { applied } = await t.store.transaction(async () => 1, () => ({
        workerId: "worker-1", commit: commitFor(claimed, { subscriptions: [subscription], outcome: waiting(null, [SUB]) }),
      }));
      assert.equal(applied, true);
      await append(newLogEvent("a"));
      assert.equal((await t.run(claimed.run.id)).dueAt, t.clock.now());
    });

    it("delivers nothing for a fenced-out commit's subscription", async () => {
      const claimed = await t.startRun();
      t.clock.advance(LEASE_MS);
      const [taken] = await t.claim("worker-2");
      const [applied] = await t.store.commit("worker-1", [commitFor(claimed, { subscriptions: [subscription] })]);
      assert.equal(applied, false);
      const timer = t.clock.now() + 60_000;
      await t.store.commit("worker-2", [commitFor(taken!, { outcome: waiting(timer, [SUB]) })]);
      await append(newLogEvent("a"));
      assert.equal((await t.run(claimed.run.id)).dueAt, timer, "not woken");
      t.clock.advance(60_000);
      const [woken] = await t.claim("worker-2");
      assert.deepEqual(inboxOf(woken), []);
    });

    it("ends a run's subscriptions with it: an event after its end is not delivered", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { subscriptions: [subscription], outcome: ended("failed") })]);
      await append(newLogEvent("a"));
      assert.equal((await t.store.retryRun(claimed.run.id)).result, "retried");
      const [again] = await t.claim("worker-2");
      assert.deepEqual(inboxOf(again), [], "the failed run had no subscription left");

      const done = await t.startRun();
      await t.store.commit("worker-1", [commitFor(done, { subscriptions: [subscription], outcome: completed() })]);
      await append(newLogEvent("b"));
      assert.equal((await t.run(done.run.id)).status, "completed");
    });

    it("keeps a blocked run's subscriptions (it may be retried) until retention deletes the run", async () => {
      const claimed = await t.startRun();
      await t.store.commit("worker-1", [commitFor(claimed, { subscriptions: [subscription], outcome: ended("blocked") })]);
      const [event] = await append(newLogEvent("while blocked"));
      assert.equal((await t.store.retryRun(claimed.run.id)).result, "retried");
      const [retried] = await t.claim("worker-2");
      assert.deepEqual(inboxOf(retried), [{ name: SUB, payload: delivered(event!), sentAt: T0 }]);
      await t.store.commit("worker-2", [commitFor(retried!, { outcome: ended("blocked") })]);

      t.clock.advance(1_000);
      assert.equal(await t.store.deleteFinishedRuns(t.clock.now(), 10), 1);
      // A new run with the deleted one's id would get its events, had its subscriptions stayed.
      await t.store.createRun(newRun({ id: claimed.run.id }));
      await append(newLogEvent("after retention"));
      const [fresh] = await t.claim("worker-3");
      assert.deepEqual(inboxOf(fresh), []);
    });

    it("delivers nothing targeted at one trigger, and nothing of another type", async () => {
      const claimed = await subscribedRun(T0 + 60_000);
      await append(newLogEvent("again", { target: "paid" }), newLogEvent("b", { type: "order.shipped" }));
      assert.equal((await t.run(claimed.run.id)).dueAt, T0 + 60_000, "not woken");
      t.clock.advance(60_000);
      const [woken] = await t.claim("worker-2");
      assert.deepEqual(inboxOf(woken), []);
    });

    it("delivers to every run subscribed to the type, each under its own position", async () => {
      const first = await subscribedRun();
      const second = await t.startRun();
      await t.store.commit("worker-1", [commitFor(second, { subscriptions: [{ position: 0, eventType: "order.paid" }], outcome: waiting(null, ["endure:sub:0"]) })]);
      const [event] = await append(newLogEvent("a"));
      const woken = await t.claim("worker-2");
      assert.deepEqual(new Map(woken.map((run) => [run.run.id, inboxOf(run)])), new Map([
        [first.run.id, [{ name: SUB, payload: delivered(event!), sentAt: T0 }]],
        [second.run.id, [{ name: "endure:sub:0", payload: delivered(event!), sentAt: T0 }]],
      ]));
    });
  });
}
