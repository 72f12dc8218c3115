import type Database from "better-sqlite3";
import { TransactionMisuseError } from "../../api/errors.js";
import type { SqlRow, Transaction } from "../../api/transaction-types.js";
import { fromTemplate } from "../sql-template.js";

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
    if (this.ended) {
      throw new TransactionMisuseError(
        `A statement ran on a transaction that has already ended (${preview(text)}). ` +
          `Run every statement inside the function given to transaction(), and await each one before it returns.`,
      );
    }
    const statement = this.db.prepare(text);
    const rows = statement.reader ? (statement.all(...params) as Row[]) : (statement.run(...params), []);
    if (!this.db.inTransaction) {
      throw new TransactionMisuseError(
        `The statement ${preview(text)} ended the transaction; Endure commits or rolls it back itself. ` +
          `Return from the transaction's function to commit, or throw to roll back.`,
      );
    }
    return rows;
  }
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);
}
