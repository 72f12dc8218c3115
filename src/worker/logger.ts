/** Where a worker reports what goes wrong outside any run (claims, leases, commits). */
export interface Logger {
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** The default logger: one line per warning or error on stderr. */
export const consoleLogger: Logger = {
  warn: (message, details) => console.warn(`[endure] ${message}`, details ?? ""),
  error: (message, details) => console.error(`[endure] ${message}`, details ?? ""),
};
