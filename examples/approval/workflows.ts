import { now, step, subscribe, workflow } from "../../src/index.js";

/** A spending request that needs a person's yes. */
export interface SpendRequest {
  id: string;
  amount: number;
  requester: string;
}

/** What an approver's click records (from the chat app's webhook, the API or `endure emit`). */
export interface Decision {
  request: string;
  approved: boolean;
  by: string;
}

// The outside world, as steps: in a real app they post to the approvers' chat channel and page a
// manager. The tests replace them with env.mockStep().
export const askApprovers = step("ask-approvers", async (request: SpendRequest) => {
  console.log(`(chat) #approvals: ${request.requester} asks for ${request.amount} (request ${request.id})`);
  return { posted: true };
});
export const escalate = step("escalate", async (request: SpendRequest) => {
  console.log(`(page) manager: request ${request.id} waits for a decision since yesterday`);
  return { paged: true };
});

/**
 * Human in the loop: asks the approvers, waits up to a day for a decision on this request, then
 * escalates to a manager and waits one more day. Decisions on other requests pass it by.
 */
export const approveSpend = workflow("approve-spend", async (request: SpendRequest) => {
  // Subscribed before asking: a decision made a second after the question cannot be missed.
  const decisions = await subscribe<Decision>("approval.decision", { filter: (event) => event.payload.request === request.id });
  await askApprovers(request);
  let decision = await decisions.next({ timeout: "1 day" });
  let escalated = false;
  if (decision === null) {
    await escalate(request);
    escalated = true;
    decision = await decisions.next({ timeout: "1 day" });
  }
  if (decision === null) return { request: request.id, outcome: "expired" as const, escalated, at: now() };
  const { approved, by } = decision.payload;
  return { request: request.id, outcome: approved ? ("approved" as const) : ("rejected" as const), by, escalated, at: now() };
});
