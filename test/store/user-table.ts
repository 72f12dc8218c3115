// The user's own tables in tests of transactions. On PostgreSQL every test's Endure schema is its
// own, but user tables go to the server's default schema, shared by all tests: each test names its
// tables afresh.
import { randomUUID } from "node:crypto";
import type { SqlRow, Transaction } from "../../src/index.js";

/** A table name no other test uses, e.g. `t_3f2a...`. */
export function uniqueTableName(prefix = "t"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

/**
 * `tx.sql` for statements about tables whose names are chosen at run time: each `{key}` in the text
 * becomes `names[key]` (a name cannot be a bound value); the `${values}` are bound as usual.
 *
 * @example
 * ```ts
 * await sqlOn(tx, { t: table })`INSERT INTO {t} (k, v) VALUES (${k}, ${v})`;
 * ```
 */
export function sqlOn(tx: Transaction, names: Record<string, string>) {
  for (const name of Object.values(names)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain table name: ${JSON.stringify(name)}`);
  }
  return <Row extends SqlRow = SqlRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]> => {
    const text = strings.map((part) => part.replace(/\{(\w+)\}/g, (whole, key: string) => names[key] ?? whole));
    return tx.sql<Row>(Object.assign(text, { raw: text }), ...values);
  };
}
