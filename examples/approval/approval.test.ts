// The approval flow on virtual time: a day's wait and an escalation in milliseconds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTestEnv } from "../../src/testing/index.js";
import { approveSpend, type Decision } from "./workflows.js";

const HOUR = 60 * 60 * 1000;
const START = Date.UTC(2026, 10, 26, 9);
const request = { id: "req-7", amount: 1200, requester: "ada" };

async function openEnv(t: { after(fn: () => Promise<void>): void }) {
  const env = await createTestEnv({ workflows: [approveSpend], startTime: START });
  t.after(() => env.close());
  env.mockStep("ask-approvers", () => ({ posted: true }));
  env.mockStep("escalate", () => ({ paged: true }));
  return env;
}

describe("spending approval", () => {
  it("approved within the day: no escalation", async (t) => {
    const env = await openEnv(t);
    const run = await env.start(approveSpend, [request]);
    await env.advance("3 hours");
    await env.emit("approval.decision", { request: "req-6", approved: false, by: "bo" } satisfies Decision); // another request's
    await env.emit("approval.decision", { request: "req-7", approved: true, by: "cy" } satisfies Decision);

    assert.deepEqual(await run.result(), { request: "req-7", outcome: "approved", by: "cy", escalated: false, at: START + 3 * HOUR });
    await env.expectJournal(run.id, [
      { kind: "subscribe", name: "approval.decision" },
      { kind: "step", name: "ask-approvers" },
      { kind: "event", status: "completed" },
      { kind: "now" },
    ]);
  });

  it("no decision in a day: a manager is paged, and rejects it the next morning", async (t) => {
    const env = await openEnv(t);
    const run = await env.start(approveSpend, [request]);
    await env.advance("25 hours");
    assert.deepEqual((await env.journal(run.id)).map((entry) => entry.name), ["approval.decision", "ask-approvers", "endure:sub:0", "escalate", "endure:sub:0"]);
    await env.emit("approval.decision", { request: "req-7", approved: false, by: "manager" } satisfies Decision);

    assert.deepEqual(await run.result(), { request: "req-7", outcome: "rejected", by: "manager", escalated: true, at: START + 25 * HOUR });
  });

  it("nobody decides: the request expires after two days", async (t) => {
    const env = await openEnv(t);
    const run = await env.start(approveSpend, [request]);
    assert.deepEqual(await run.result(), { request: "req-7", outcome: "expired", escalated: true, at: START + 48 * HOUR });
  });
});
