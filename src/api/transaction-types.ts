/** The database a {@link Transaction} runs in, so portable code can branch on SQL dialect. */
export type SqlDialect = "sqlite" | "postgres";

/** A row as the database returns it: column name → value. */
export type SqlRow = Record<string, unknown>;

/**
 * A transaction on the store's own database. Inside a `transaction()` step it is the same
 * database transaction that records the step's result, so the step's writes and its journal entry
 * commit together or not at all. Use it only inside the function it was given to: a statement after
 * the transaction ended is refused with `TransactionMisuseError`.
 */
export interface Transaction {
  readonly dialect: SqlDialect;
  /**
   * Runs one statement written as a tagged template; every `${value}` is bound as a parameter,
   * never spliced into the SQL text, so the same code runs on SQLite and PostgreSQL.
   * @returns the rows it returns (an empty array for statements that return none).
   * @example
   * ```ts
   * await tx.sql`UPDATE accounts SET balance = balance - ${amount} WHERE id = ${account}`;
   * ```
   */
  sql<Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]>;
  /**
   * Runs one statement with the database's own placeholders (`?` on SQLite, `$1` on PostgreSQL).
   * @returns the rows it returns (an empty array for statements that return none).
   */
  query<Row extends SqlRow = SqlRow>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}
