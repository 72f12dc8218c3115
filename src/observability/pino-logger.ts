import pino from "pino";
import type { Logger } from "../worker/logger.js";

/**
 * A pino logger as Endure's `Logger`, for workers and the server: each line's details become
 * fields, and an Error among them (`error`) is serialized with pino's error serializer (type,
 * message, stack, code).
 *
 * @example
 * ```ts
 * import pino from "pino";
 * const logger = pinoLogger(pino({ level: "info" }));
 * await endure.startWorker({ workflows: [transfer], logger });
 * // {"level":30,"time":...,"runId":"transfer-42","workflow":"transfer","msg":"run started"}
 * ```
 */
export function pinoLogger(logger: pino.BaseLogger): Logger {
  const at = (level: "info" | "warn" | "error") => (message: string, details?: Record<string, unknown>) => {
    if (details === undefined) logger[level](message);
    else logger[level](fields(details), message);
  };
  return { info: at("info"), warn: at("warn"), error: at("error") };
}

function fields(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) out[key] = value instanceof Error ? pino.stdSerializers.err(value) : value;
  return out;
}
