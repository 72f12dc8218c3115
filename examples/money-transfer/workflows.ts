import { transaction, uuid, workflow } from "../../src/index.js";
import { book } from "./bank.js";

// Transactional steps: each one's SQL commits in the same database transaction as its journal
// entry, so a withdraw or deposit is applied exactly once, whenever a worker dies.
export const withdraw = transaction("withdraw", (tx, txId: string, account: string, amount: number) => book(tx, txId, "withdraw", account, amount));
export const deposit = transaction("deposit", (tx, txId: string, account: string, amount: number) => book(tx, txId, "deposit", account, amount));

export const transfer = workflow("transfer", async (from: string, to: string, amount: number) => {
  const txId = uuid(); // journaled: a replay after a crash gets the same id
  await withdraw(txId, from, amount);
  await deposit(txId, to, amount);
  return txId;
});
