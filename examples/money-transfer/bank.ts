// A toy bank: accounts and a ledger in their own SQLite file, separate from Endure's store, the
// way a real workflow talks to a system it does not own.
import Database from "better-sqlite3";
import { setTimeout as delay } from "node:timers/promises";
import { NonRetryableError } from "../../src/index.js";

export type Kind = "withdraw" | "deposit";

export interface Audit {
  /** Sum of all balances. */
  total: number;
  balances: Record<string, number>;
  /** Ledger rows: one per applied withdraw or deposit. */
  rows: number;
  /** (txId, kind) pairs with more than one ledger row: an operation applied twice. Must be empty. */
  appliedTwice: { txId: string; kind: Kind; count: number }[];
  /** Transactions withdrawn but not (yet) deposited: money in flight. */
  halfDone: { txId: string; amount: number }[];
  /** Calls for an operation already applied, recognized by txId and ignored. */
  repeatsIgnored: number;
  /** txId -> the accounts and amounts its ledger rows record. */
  transactions: Map<string, { from?: string; to?: string; amount: number }>;
}

export class Bank {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL"); // an applied operation survives power loss too
    this.db.pragma("busy_timeout = 5000");
    // The (tx_id, kind) index is deliberately not UNIQUE: the audit counts rows to show that the
    // idempotency check below, not a constraint, kept every operation to one application.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0));
      CREATE TABLE IF NOT EXISTS ledger (tx_id TEXT NOT NULL, kind TEXT NOT NULL, account TEXT NOT NULL, amount INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS ledger_tx ON ledger (tx_id, kind);
      CREATE TABLE IF NOT EXISTS repeats (tx_id TEXT NOT NULL, kind TEXT NOT NULL);
    `);
  }

  open(accounts: Record<string, number>): void {
    const insert = this.db.prepare("INSERT INTO accounts (name, balance) VALUES (?, ?)");
    this.db.transaction(() => {
      for (const [name, balance] of Object.entries(accounts)) insert.run(name, balance);
    })();
  }

  withdraw(txId: string, account: string, amount: number): Promise<"applied" | "repeat"> {
    return this.apply(txId, "withdraw", account, amount);
  }

  deposit(txId: string, account: string, amount: number): Promise<"applied" | "repeat"> {
    return this.apply(txId, "deposit", account, amount);
  }

  // Idempotent by (txId, kind): the check and the write are one SQLite transaction, so a repeated
  // call (a step re-run after a crash) finds the ledger row and changes nothing.
  private async apply(txId: string, kind: Kind, account: string, amount: number): Promise<"applied" | "repeat"> {
    if (!Number.isInteger(amount) || amount <= 0) throw new NonRetryableError(`${kind}: amount must be a positive whole number; got ${amount}`);
    await networkLatency(); // the request travels to the bank...
    const outcome = this.db.transaction((): "applied" | "repeat" => {
      if (this.db.prepare("SELECT 1 FROM ledger WHERE tx_id = ? AND kind = ?").get(txId, kind)) {
        this.db.prepare("INSERT INTO repeats (tx_id, kind) VALUES (?, ?)").run(txId, kind);
        return "repeat";
      }
      const row = this.db.prepare("SELECT balance FROM accounts WHERE name = ?").get(account) as { balance: number } | undefined;
      if (!row) throw new NonRetryableError(`${kind}: no account named "${account}"`);
      if (kind === "withdraw" && row.balance < amount) {
        throw new NonRetryableError(`insufficient funds: ${account} has ${row.balance}, needs ${amount}`);
      }
      this.db.prepare("INSERT INTO ledger (tx_id, kind, account, amount) VALUES (?, ?, ?, ?)").run(txId, kind, account, amount);
      this.db.prepare("UPDATE accounts SET balance = balance + ? WHERE name = ?").run(kind === "withdraw" ? -amount : amount, account);
      return "applied";
    }).immediate();
    await networkLatency(); // ...and the reply travels back: a crash now loses a reply to an applied operation
    return outcome;
  }

  audit(): Audit {
    const balances: Record<string, number> = {};
    for (const row of this.db.prepare("SELECT name, balance FROM accounts ORDER BY name").all() as { name: string; balance: number }[]) {
      balances[row.name] = row.balance;
    }
    const ledger = this.db.prepare("SELECT tx_id AS txId, kind, account, amount FROM ledger").all() as { txId: string; kind: Kind; account: string; amount: number }[];
    const transactions: Audit["transactions"] = new Map();
    for (const { txId, kind, account, amount } of ledger) {
      const tx = transactions.get(txId) ?? { amount };
      if (kind === "withdraw") tx.from = account;
      else tx.to = account;
      transactions.set(txId, tx);
    }
    return {
      total: Object.values(balances).reduce((sum, balance) => sum + balance, 0),
      balances,
      rows: ledger.length,
      appliedTwice: this.db.prepare(
        "SELECT tx_id AS txId, kind, COUNT(*) AS count FROM ledger GROUP BY tx_id, kind HAVING COUNT(*) > 1",
      ).all() as Audit["appliedTwice"],
      halfDone: [...transactions].filter(([, tx]) => tx.to === undefined).map(([txId, tx]) => ({ txId, amount: tx.amount })),
      repeatsIgnored: (this.db.prepare("SELECT COUNT(*) AS n FROM repeats").get() as { n: number }).n,
      transactions,
    };
  }

  close(): void {
    this.db.close();
  }
}

function networkLatency(): Promise<void> {
  return delay(5 + Math.random() * 15);
}
