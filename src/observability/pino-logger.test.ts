import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import { LeaseLostError } from "../api/errors.js";
import { pinoLogger } from "./pino-logger.js";

/** A pino logger writing its JSON lines into an array, synchronously. */
function capture(): { lines: Record<string, unknown>[]; logger: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ base: null, timestamp: false, level: "info" }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, logger };
}

test("pinoLogger writes each message as one line with its details as fields, at its level", () => {
  const { lines, logger } = capture();
  const log = pinoLogger(logger);
  log.info("run started", { runId: "order-1", workflow: "orders" });
  log.warn("could not release runs on stop");
  assert.deepEqual(lines, [
    { level: 30, runId: "order-1", workflow: "orders", msg: "run started" },
    { level: 40, msg: "could not release runs on stop" },
  ]);
});

test("pinoLogger serializes an Error among the details with pino's error serializer: type, message, code, stack", () => {
  const { lines, logger } = capture();
  pinoLogger(logger).error("writing run failed", { runId: "order-1", error: new LeaseLostError("order-1") });
  const [line] = lines as [{ runId: string; error: { type: string; message: string; code: string; stack: string } }];
  assert.equal(line.runId, "order-1");
  assert.equal(line.error.type, "LeaseLostError");
  assert.equal(line.error.code, "LEASE_LOST");
  assert.match(line.error.message, /no longer holds run "order-1"/);
  assert.match(line.error.stack, /^LeaseLostError: /);
});
