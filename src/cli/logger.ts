import type { Logger } from "../index.js";

/** The worker's log for people: one line per event on stderr, details as `key=value`. */
export const cliLogger: Logger = {
  info: (message, details) => write("info", message, details),
  warn: (message, details) => write("warn", message, details),
  error: (message, details) => write("error", message, details),
};

function write(level: string, message: string, details?: Record<string, unknown>): void {
  const fields = Object.entries(details ?? {}).map(([key, value]) => `${key}=${fieldText(value)}`);
  process.stderr.write(`${new Date().toISOString()} ${level} ${message}${fields.length > 0 ? ` ${fields.join(" ")}` : ""}\n`);
}

function fieldText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  return JSON.stringify(value) ?? String(value);
}
