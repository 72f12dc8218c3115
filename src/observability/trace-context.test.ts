import assert from "node:assert/strict";
import { test } from "node:test";
import { trace } from "@opentelemetry/api";
import { fromTraceparent, newRunTraceContext, runParentContext, toTraceparent } from "./trace-context.js";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

test("a traceparent reads back as the remote span context it was written from", () => {
  const spanContext = fromTraceparent(TRACEPARENT);
  assert.deepEqual(spanContext, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1, isRemote: true });
  assert.equal(toTraceparent(spanContext!), TRACEPARENT);
});

test("a traceparent that is not a valid version 00 one is ignored", () => {
  for (const bad of ["", "garbage", TRACEPARENT.toUpperCase(), TRACEPARENT.replace(/^00/, "01"), `00-${"0".repeat(32)}-b7ad6b7169203331-01`, `${TRACEPARENT}-extra`]) {
    assert.equal(fromTraceparent(bad), undefined, bad);
  }
});

test("a run's executions are traced under its stored context, or under one derived from its id, the same every time", () => {
  assert.equal(toTraceparent(trace.getSpanContext(runParentContext("r1", TRACEPARENT))!), TRACEPARENT);
  const derived = trace.getSpanContext(runParentContext("r1", null))!;
  assert.deepEqual(trace.getSpanContext(runParentContext("r1", null)), derived);
  assert.notEqual(trace.getSpanContext(runParentContext("r2", null))!.traceId, derived.traceId);
  assert.deepEqual(trace.getSpanContext(runParentContext("r1", "not a traceparent")), derived);
});

test("with no OpenTelemetry SDK registered, a new run gets no trace context", () => {
  assert.equal(newRunTraceContext("orders", "r1"), undefined);
});
