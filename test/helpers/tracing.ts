// Registers a real OpenTelemetry SDK for the process, as an application would: a tracer provider
// whose finished spans go to `exporter`, and the AsyncLocalStorage context manager.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, type ReadableSpan, SimpleSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";

export function registerTracing(exporter: SpanExporter): BasicTracerProvider {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  return provider;
}

/** What the tests check of a span, as plain JSON (the crash fixture writes these lines). */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: string[];
}

export function spanRecord(span: ReadableSpan): SpanRecord {
  const { traceId, spanId } = span.spanContext();
  return {
    name: span.name, traceId, spanId, parentSpanId: span.parentSpanContext?.spanId ?? null,
    attributes: { ...span.attributes }, status: { ...span.status }, events: span.events.map((event) => event.name),
  };
}
