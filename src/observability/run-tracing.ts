import { context, type Context, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ObservedStep, RunEnd, RunObservation, RunObserver, StepEnd, StepObservation } from "../engine/observer.js";
import { runParentContext, tracer, tracingEnabled } from "./trace-context.js";

/**
 * OpenTelemetry spans of the runs a worker executes: `endure.run <workflow>` for each execution
 * (claim to exit), under the run's stored trace context, and `endure.step <name>` for each step
 * attempt under it, active while the step's function runs. Replayed steps make no spans. With no
 * SDK registered, or a run span that does not record (sampled out), nothing is done for the run.
 */
export const runTracing: RunObserver = {
  runStarted(run) {
    if (!tracingEnabled()) return undefined;
    const parent = runParentContext(run.runId, run.traceContext);
    const span = tracer.startSpan(`endure.run ${run.workflow}`, {
      attributes: {
        "endure.run_id": run.runId,
        "endure.workflow": run.workflow,
        "endure.replay": run.replayed,
        "endure.resumed": run.resumed,
        ...(run.lapses > 0 && { "endure.lease_lapses": run.lapses }),
      },
    }, parent);
    if (!span.isRecording()) {
      span.end();
      return undefined;
    }
    return new TracedRun(span, trace.setSpan(parent, span), run.runId);
  },
};

class TracedRun implements RunObservation {
  /** Attempts under way: a run that leaves memory ends them. */
  private readonly open = new Set<Span>();

  constructor(
    private readonly span: Span,
    /** The run span's context: the parent of its steps, active in the workflow function. */
    private readonly active: Context,
    private readonly runId: string,
  ) {}

  enter<T>(fn: () => T): T {
    return context.with(this.active, fn);
  }

  stepStarted(step: ObservedStep): StepObservation {
    const span = tracer.startSpan(`endure.step ${step.name}`, {
      attributes: { "endure.run_id": this.runId, "endure.step": step.name, "endure.position": step.position, "endure.attempt": step.attempt },
    }, this.active);
    this.open.add(span);
    const active = trace.setSpan(this.active, span);
    return {
      enter: (fn) => context.with(active, fn),
      stepEnded: (end) => {
        this.open.delete(span);
        endStep(span, end);
      },
    };
  }

  runEnded(end: RunEnd): void {
    for (const span of this.open) {
      span.setAttribute("endure.outcome", "abandoned");
      span.end();
    }
    this.span.setAttribute("endure.outcome", end.status);
    if (end.status === "failed" || end.status === "blocked" || end.status === "abandoned") fail(this.span, end.error);
    this.span.end();
  }
}

function endStep(span: Span, end: StepEnd): void {
  span.setAttribute("endure.outcome", end.outcome);
  if (end.outcome === "retrying") span.setAttribute("endure.retry_at", new Date(end.retryAt).toISOString());
  if (end.outcome !== "completed") fail(span, end.error);
  span.end();
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}
