import { requireWorkflow } from "./scope.js";
import { type StepOptions, validateStepDefinition } from "./step.js";
import type { Transaction } from "./transaction-types.js";

/**
 * Makes `fn` a transactional step: a step whose SQL runs on the store's own database, in the same
 * database transaction that records the step's result. Its writes therefore happen exactly once,
 * crashes included: a worker killed before the commit leaves nothing behind (the step runs again),
 * and once the commit is made, a replay returns the recorded result without running `fn` again.
 *
 * `fn` gets a {@link Transaction} first, then the step's arguments. Write the SQL with `tx.sql`
 * (values are bound as parameters) and it runs on SQLite and PostgreSQL alike. Return to commit;
 * throw to roll back. Retries and timeouts work as for {@link step}: an attempt that throws is rolled
 * back, then retried after a durable delay unless it threw a `NonRetryableError`; an attempt that
 * times out or whose run is cancelled is rolled back at once.
 *
 * Keep it short and keep to `tx`: on SQLite the transaction holds the database's one write lock, so
 * every other write (of every worker on the file) waits for it. Calls to the outside world belong in
 * ordinary steps: they cannot be rolled back.
 *
 * Only inside a workflow: the transaction is the run's store's. Outside one (or inside a step) it
 * throws `NotInWorkflowError`; for SQL outside a run use `endure.transaction()`.
 *
 * @example
 * ```ts
 * const withdraw = transaction("withdraw", async (tx, account: string, amount: number) => {
 *   const [row] = await tx.sql<{ balance: number }>`SELECT balance FROM accounts WHERE id = ${account}`;
 *   if (!row || row.balance < amount) throw new NonRetryableError(`insufficient funds in ${account}`);
 *   await tx.sql`UPDATE accounts SET balance = balance - ${amount} WHERE id = ${account}`;
 * });
 *
 * export const transfer = workflow("transfer", async (from: string, to: string, amount: number) => {
 *   await withdraw(from, amount); // exactly once, even if the worker is killed mid-way
 *   await deposit(to, amount);
 * });
 * ```
 */
export function transaction<A extends unknown[], R>(
  name: string,
  fn: (tx: Transaction, ...args: A) => Promise<R>,
  options: StepOptions = {},
): (...args: A) => Promise<R> {
  const resolved = validateStepDefinition("transaction", name, fn, options);
  const durable = async (...args: A): Promise<R> => {
    const run = requireWorkflow(
      `transaction("${name}")`,
      "A transactional step runs in a transaction of the run's store, so there is none to run it in here; " +
        "to run SQL on the store outside a workflow, use endure.transaction(async (tx) => ...).",
    );
    return await run.transaction(name, fn, args, resolved);
  };
  Object.defineProperty(durable, "name", { value: name });
  return durable;
}
