// A toy bank: accounts and a ledger in the store's own database, next to Endure's tables, so that
// a withdraw or deposit commits in the same transaction as its step's journal entry. The SQL is
// portable: the same code runs on SQLite and PostgreSQL.
import { setTimeout as delay } from "node:timers/promises";
import { type Endure, NonRetryableError, type Transaction } from "../../src/index.js";

/** A refund gives a withdrawn amount back to its account (the saga example's compensation). */
export type Kind = "withdraw" | "deposit" | "refund";

export interface Audit {
  /** Sum of all balances. */
  total: number;
  balances: Record<string, number>;
  /** Ledger rows: one per applied withdraw or deposit. */
  rows: number;
  /** (txId, kind) pairs with more than one ledger row: an operation applied twice. Must be empty. */
  appliedTwice: { txId: string; kind: Kind; count: number }[];
  /** Transactions withdrawn but not (yet) deposited or refunded: money in flight. */
  halfDone: { txId: string; amount: number }[];
  /** txId -> the accounts and amounts its ledger rows record. */
  transactions: Map<string, { from?: string; to?: string; refundedTo?: string; amount: number }>;
}

/**
 * Opens a fresh bank: creates its tables if needed and sets the accounts' opening balances.
 * Accounts named in `closed` take no deposits.
 */
export async function openBank(endure: Endure, accounts: Record<string, number>, closed: readonly string[] = []): Promise<void> {
  await endure.transaction(async (tx) => {
    await tx.sql`CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0), closed INTEGER NOT NULL DEFAULT 0)`;
    // Deliberately no unique index on (tx_id, kind): the audit counts rows to show that each
    // operation was applied once without a constraint to stop a second one.
    await tx.sql`CREATE TABLE IF NOT EXISTS ledger (tx_id TEXT NOT NULL, kind TEXT NOT NULL, account TEXT NOT NULL, amount INTEGER NOT NULL)`;
    await tx.sql`DELETE FROM ledger`;
    await tx.sql`DELETE FROM accounts`;
    for (const [name, balance] of Object.entries(accounts)) {
      await tx.sql`INSERT INTO accounts (name, balance, closed) VALUES (${name}, ${balance}, ${closed.includes(name) ? 1 : 0})`;
    }
  });
}

/** Applies a withdraw, deposit or refund of `txId` to an account, and writes its ledger row, in `tx`. */
export async function book(tx: Transaction, txId: string, kind: Kind, account: string, amount: number): Promise<void> {
  if (!Number.isInteger(amount) || amount <= 0) throw new NonRetryableError(`${kind}: amount must be a positive whole number; got ${amount}`);
  const [row] = await tx.sql<{ balance: number; closed: number }>`SELECT balance, closed FROM accounts WHERE name = ${account}`;
  if (!row) throw new NonRetryableError(`${kind}: no account named "${account}"`);
  if (kind === "deposit" && Number(row.closed) === 1) throw new NonRetryableError(`deposit: account "${account}" is closed`);
  if (kind === "withdraw" && row.balance < amount) {
    throw new NonRetryableError(`insufficient funds: ${account} has ${row.balance}, needs ${amount}`);
  }
  await tx.sql`UPDATE accounts SET balance = balance + ${kind === "withdraw" ? -amount : amount} WHERE name = ${account}`;
  // The books take a moment: a worker killed now leaves the balance changed but not committed,
  // and the database rolls it back.
  await delay(2 + Math.random() * 8);
  await tx.sql`INSERT INTO ledger (tx_id, kind, account, amount) VALUES (${txId}, ${kind}, ${account}, ${amount})`;
}

/** Reads the books. */
export async function audit(endure: Endure): Promise<Audit> {
  const { accounts, ledger } = await endure.transaction(async (tx) => ({
    accounts: await tx.sql<{ name: string; balance: number }>`SELECT name, balance FROM accounts ORDER BY name`,
    ledger: await tx.sql<{ tx_id: string; kind: Kind; account: string; amount: number }>`SELECT tx_id, kind, account, amount FROM ledger`,
  }));
  const balances: Record<string, number> = {};
  for (const { name, balance } of accounts) balances[name] = balance;
  const transactions: Audit["transactions"] = new Map();
  const counts = new Map<string, number>();
  for (const { tx_id: txId, kind, account, amount } of ledger) {
    const tx = transactions.get(txId) ?? { amount };
    if (kind === "withdraw") tx.from = account;
    else if (kind === "deposit") tx.to = account;
    else tx.refundedTo = account;
    transactions.set(txId, tx);
    counts.set(`${txId} ${kind}`, (counts.get(`${txId} ${kind}`) ?? 0) + 1);
  }
  return {
    total: Object.values(balances).reduce((sum, balance) => sum + balance, 0),
    balances,
    rows: ledger.length,
    appliedTwice: [...counts].filter(([, count]) => count > 1).map(([key, count]) => {
      const [txId, kind] = key.split(" ") as [string, Kind];
      return { txId, kind, count };
    }),
    halfDone: [...transactions].filter(([, tx]) => tx.to === undefined && tx.refundedTo === undefined).map(([txId, tx]) => ({ txId, amount: tx.amount })),
    transactions,
  };
}
