import { saga, transaction, uuid, workflow } from "../../src/index.js";
import { book } from "../money-transfer/bank.js";
import { deposit, withdraw } from "../money-transfer/workflows.js";

// The compensation of a withdraw: gives the money back. A transaction() step like the others, so
// it is applied exactly once, whenever a worker dies.
const refund = transaction("refund", (tx, txId: string, account: string, amount: number) => book(tx, txId, "refund", account, amount));

/**
 * A transfer that undoes itself: if the deposit fails for good (the target account is closed), the
 * withdrawn money is refunded and the run fails with the deposit's error.
 */
export const sagaTransfer = workflow("saga-transfer", async (from: string, to: string, amount: number) => {
  const txId = uuid(); // journaled: a replay after a crash gets the same id
  await saga(async (compensate) => {
    await withdraw(txId, from, amount);
    compensate(refund, txId, from, amount); // runs if anything below throws
    await deposit(txId, to, amount);
  });
  return txId;
});
