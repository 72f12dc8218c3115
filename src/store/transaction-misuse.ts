import { TransactionMisuseError } from "../api/errors.js";

/** A statement on a user transaction after it committed or rolled back. */
export function transactionEnded(text: string): TransactionMisuseError {
  return new TransactionMisuseError(
    `A statement ran on a transaction that has already ended (${preview(text)}). ` +
      `Run every statement inside the function given to transaction(), and await each one before it returns.`,
  );
}

/** A user statement that commits or rolls back the transaction Endure manages. */
export function transactionControlled(text: string): TransactionMisuseError {
  return new TransactionMisuseError(
    `The statement ${preview(text)} ends the transaction; Endure commits or rolls it back itself. ` +
      `Return from the transaction's function to commit, or throw to roll back.`,
  );
}

function preview(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);
}
