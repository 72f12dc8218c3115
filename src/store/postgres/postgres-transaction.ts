import type pg from "pg";
import type { SqlRow, Transaction } from "../../api/transaction-types.js";
import { fromTemplate } from "../sql-template.js";
import { transactionControlled, transactionEnded } from "../transaction-misuse.js";

// Endure commits or rolls back itself; a statement that did would leave the journal write outside.
const TRANSACTION_CONTROL = /^\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT)\b/i;

/** The user's view of a PostgreSQL transaction: statements on the transaction's own connection. */
export class PostgresTransaction implements Transaction {
  readonly dialect = "postgres";
  private ended = false;

  constructor(private readonly client: pg.ClientBase) {}

  async sql<Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> {
    const { text, params } = fromTemplate(strings, values, (index) => `$${index + 1}`);
    return await this.query<Row>(text, params);
  }

  async query<Row extends SqlRow = SqlRow>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    // After the end the connection went back to the pool: a late statement would run in someone else's transaction.
    if (this.ended) throw transactionEnded(text);
    if (TRANSACTION_CONTROL.test(text)) throw transactionControlled(text);
    const result = await this.client.query<Row>(text, [...params]);
    return result.rows ?? [];
  }

  /** The transaction committed or rolled back: statements from now on are refused. */
  end(): void {
    this.ended = true;
  }
}
