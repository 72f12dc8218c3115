import pino from "pino";
import { type Logger, pinoLogger } from "../index.js";

/**
 * The log of a long-running command, on stderr (stdout keeps the command's own lines): JSON lines
 * through pino for production (`worker`, `serve`), or one readable line per event for a person
 * watching `endure dev`.
 */
export function commandLogger(format: "json" | "human"): Logger {
  return format === "json" ? pinoLogger(pino({ level: "info" }, pino.destination(2))) : humanLogger;
}

const humanLogger: Logger = {
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
