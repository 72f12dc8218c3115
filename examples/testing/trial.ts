import { now, sleep, step, waitForEvent, workflow } from "../../src/index.js";

// The outside world, as steps. In a real app these call a mailer and a billing API; the tests
// replace them with env.mockStep() or make them fail with env.failStep().
export const sendReminder = step("send-reminder", async (user: string) => {
  console.log(`(mail) ${user}: your trial ends in 7 days`);
  return { sent: true };
});
export const activate = step("activate-plan", async (user: string, plan: string) => ({ user, plan, active: true }));
export const cancelTrial = step("cancel-trial", async (user: string) => ({ user, cancelled: true }));

/** What a payment event carries. */
export interface Payment {
  plan: string;
}

/**
 * A subscription trial: 30 days free, then a reminder, then up to 7 days to pay. Paid: the plan is
 * activated; not paid in time: the trial is cancelled.
 */
export const trial = workflow("subscription-trial", async (user: string) => {
  const startedAt = now();
  await sleep("30 days");
  await sendReminder(user);
  const payment = await waitForEvent<Payment>("payment", { timeout: "7 days" });
  if (payment === null) {
    await cancelTrial(user);
    return { user, outcome: "cancelled" as const, startedAt, endedAt: now() };
  }
  await activate(user, payment.plan);
  return { user, outcome: "subscribed" as const, plan: payment.plan, startedAt, endedAt: now() };
});
