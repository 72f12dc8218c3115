import type pg from "pg";
import type { SqlRow, Transaction } from "../../api/transaction-types.js";
import { fromTemplate } from "../sql-template.js";

/** The user's view of a PostgreSQL transaction: statements on the transaction's own connection. */
export class PostgresTransaction implements Transaction {
  readonly dialect = "postgres";

  constructor(private readonly client: pg.ClientBase) {}

  async sql<Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> {
    const { text, params } = fromTemplate(strings, values, (index) => `$${index + 1}`);
    return await this.query<Row>(text, params);
  }

  async query<Row extends SqlRow = SqlRow>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.client.query<Row>(text, [...params]);
    return result.rows ?? [];
  }
}
