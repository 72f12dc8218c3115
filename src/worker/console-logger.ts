import type { Logger } from "../engine/host.js";

/** The default logger: one line per warning or error on stderr. */
export const consoleLogger: Logger = {
  warn: (message, details) => console.warn(`[endure] ${message}`, details ?? ""),
  error: (message, details) => console.error(`[endure] ${message}`, details ?? ""),
};
