import { step, uuid, workflow } from "../../src/index.js";
import { Bank } from "./bank.js";

// Opened on first use, in the worker process: the demo tells its workers where the bank is.
let bank: Bank | undefined;
function theBank(): Bank {
  const path = process.env.BANK_DB;
  if (!path) throw new Error("Set BANK_DB to the bank's SQLite file.");
  return (bank ??= new Bank(path));
}

// Steps run at least once: after a crash a step may run again, so each bank call carries the
// transfer's txId and the bank applies it once.
const withdraw = step("withdraw", (txId: string, account: string, amount: number) => theBank().withdraw(txId, account, amount));
const deposit = step("deposit", (txId: string, account: string, amount: number) => theBank().deposit(txId, account, amount));

export const transfer = workflow("transfer", async (from: string, to: string, amount: number) => {
  const txId = uuid(); // journaled: a replay after a crash gets the same id
  await withdraw(txId, from, amount);
  await deposit(txId, to, amount);
  return txId;
});
