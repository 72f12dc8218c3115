import { EndureError, StoreAccessError, StoreUnavailableError } from "../../api/errors.js";

// SQLSTATE classes and codes that mean "the server is not there right now".
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const UNAVAILABLE_SYSTEM_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/**
 * Turns what node-postgres throws into Endure's errors where the cause is the connection, so users
 * read what is wrong and what to do. Other errors (bugs, constraint violations) pass unchanged.
 */
export function translatePgError(error: unknown, display: string): unknown {
  if (!(error instanceof Error) || error instanceof EndureError) return error;
  const code = (error as { code?: unknown }).code;
  const state = typeof code === "string" ? code : "";
  if (state === "28P01" || state === "28000") {
    return new StoreAccessError(
      `PostgreSQL at ${display} refused the credentials (${error.message}). Check the user and password in the store URL.`,
      { cause: error },
    );
  }
  if (state === "3D000") {
    return new StoreAccessError(`${error.message} at ${display}. Create it (createdb) or fix the database name in the store URL.`, { cause: error });
  }
  if (state === "42501") {
    return new StoreAccessError(
      `PostgreSQL at ${display} denied a permission Endure needs (${error.message}). Grant the user rights on the store's schema.`,
      { cause: error },
    );
  }
  if (state === "ENOTFOUND") {
    return new StoreUnavailableError(`The PostgreSQL host of ${display} cannot be resolved (${error.message}). Check the host name in the store URL.`, { cause: error });
  }
  if (UNAVAILABLE_STATES.has(state) || UNAVAILABLE_SYSTEM_CODES.has(state) || state.startsWith("08") || isConnectionLoss(error)) {
    return new StoreUnavailableError(
      `The PostgreSQL store at ${display} is unreachable (${error.message}). Check that the server is running and reachable; ` +
        `workers keep retrying on their own, and this call can be retried once it is back.`,
      { cause: error },
    );
  }
  return error;
}

function isConnectionLoss(error: Error): boolean {
  return /Connection terminated|connection timeout|Client has encountered a connection error|terminating connection/i.test(error.message);
}
