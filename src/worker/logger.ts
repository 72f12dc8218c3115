/**
 * Where workers and the server report what happens outside the user's code: runs started and
 * finished, step retries, lease take-overs (info), and failures of claims, leases and commits
 * (warn, error). `details` is structured: a logger may print it as fields.
 */
export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** The default logger of the library: warnings and errors, one line each, on stderr; info is silent. */
export const consoleLogger: Logger = {
  info: () => {},
  warn: (message, details) => console.warn(`[endure] ${message}`, details ?? ""),
  error: (message, details) => console.error(`[endure] ${message}`, details ?? ""),
};
