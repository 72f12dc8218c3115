import type Database from "better-sqlite3";
import type { SqlRow, Transaction } from "../../api/transaction-types.js";
import { fromTemplate } from "../sql-template.js";
import { transactionControlled, transactionEnded } from "../transaction-misuse.js";

/**
 * The user's view of a SQLite transaction: statements on the store's connection, inside the
 * transaction the store opened. Each statement runs at once (better-sqlite3 is synchronous); the
 * promise only keeps the API the same as on PostgreSQL.
 */
export class SqliteTransaction implements Transaction {
  readonly dialect = "sqlite";
  private ended = false;

  constructor(private readonly db: Database.Database) {}

  async sql<Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> {
    const { text, params } = fromTemplate(strings, values, () => "?");
    return this.run<Row>(text, params);
  }

  async query<Row extends SqlRow = SqlRow>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.run<Row>(text, params);
  }

  /** The transaction committed or rolled back: statements from now on are refused. */
  end(): void {
    this.ended = true;
  }

  private run<Row>(text: string, params: readonly unknown[]): Row[] {
    // After the end the connection is no longer this transaction's: a late statement would run in
    // autocommit mode, or in someone else's transaction.
    if (this.ended) throw transactionEnded(text);
    const statement = this.db.prepare(text);
    const rows = statement.reader ? (statement.all(...params) as Row[]) : (statement.run(...params), []);
    if (!this.db.inTransaction) throw transactionControlled(text);
    return rows;
  }
}
