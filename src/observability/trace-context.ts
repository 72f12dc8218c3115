import { hash } from "node:crypto";
import { context, type Context, isSpanContextValid, ProxyTracerProvider, ROOT_CONTEXT, type SpanContext, TraceFlags, trace } from "@opentelemetry/api";

/**
 * Endure's tracer. Through `@opentelemetry/api` it is a no-op until the application registers an
 * OpenTelemetry SDK; the proxy finds the SDK's tracer whenever that happens.
 */
export const tracer = trace.getTracer("endure");

/** What the API's tracer provider delegates to while no SDK is registered. */
const NO_SDK = new ProxyTracerProvider().getDelegate();

/**
 * Whether an SDK is registered: a check that costs nothing, so that a worker without one does no
 * tracing work per run at all.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider && provider.getDelegate() === NO_SDK);
}

/**
 * The trace context to store with a new run, as a W3C traceparent: the caller's active span (an
 * HTTP request's, or for a child run its parent's execution), or else a short `endure.start` span
 * of its own when an SDK records it. Undefined when nothing is traced: the run is stored without.
 */
export function newRunTraceContext(workflow: string, runId: string): string | undefined {
  if (!tracingEnabled()) return undefined;
  const active = trace.getSpanContext(context.active());
  if (active && isSpanContextValid(active)) return toTraceparent(active);
  const span = tracer.startSpan(`endure.start ${workflow}`, { attributes: { "endure.run_id": runId, "endure.workflow": workflow } }, ROOT_CONTEXT);
  try {
    return span.isRecording() ? toTraceparent(span.spanContext()) : undefined;
  } finally {
    span.end();
  }
}

/**
 * The context a run's executions are traced under: its stored trace context, so that every
 * execution (after a sleep, a crash, a take-over) joins one trace. A run stored without one gets
 * a trace id derived from its id, the same in every worker.
 */
export function runParentContext(runId: string, traceContext: string | null): Context {
  const stored = traceContext === null ? undefined : fromTraceparent(traceContext);
  return trace.setSpanContext(ROOT_CONTEXT, stored ?? derivedSpanContext(runId));
}

/** `00-<trace id>-<span id>-<flags>` (W3C Trace Context, version 00). */
export function toTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, "0");
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The remote span context of a traceparent; undefined when it is not a valid version 00 one. */
export function fromTraceparent(traceparent: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const spanContext: SpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function derivedSpanContext(runId: string): SpanContext {
  const digest = hash("sha256", `endure run ${runId}`, "hex");
  return { traceId: digest.slice(0, 32), spanId: digest.slice(32, 48), traceFlags: TraceFlags.SAMPLED, isRemote: true };
}
