import type { RunObserver } from "../engine/observer.js";
import type { Logger } from "../worker/logger.js";

/**
 * Info lines of a worker about its runs, one each, with the run's id and workflow as fields: run
 * started, resumed or taken over; a step attempt that failed (and whether it is retried); run
 * suspended, finished or released when the worker stops. A step that succeeds logs nothing.
 */
export function runLogging(logger: Logger): RunObserver {
  return {
    runStarted(run) {
      const fields = { runId: run.runId, workflow: run.workflow };
      if (!run.resumed) logger.info("run started", fields);
      else if (run.lapses > 0) logger.info("run taken over: the lease of the worker that held it lapsed", { ...fields, lapses: run.lapses, replayed: run.replayed });
      else logger.info("run resumed", { ...fields, replayed: run.replayed });
      return {
        stepStarted: (step) => ({
          stepEnded: (end) => {
            if (end.outcome === "completed") return;
            const failed = { ...fields, step: step.name, position: step.position, attempt: step.attempt, error: end.error };
            if (end.outcome === "retrying") logger.info("step attempt failed; it will be retried", { ...failed, retryAt: new Date(end.retryAt).toISOString() });
            else logger.info("step failed", failed);
          },
        }),
        runEnded: (end) => {
          switch (end.status) {
            case "waiting":
              return logger.info("run suspended", fields);
            case "released":
              return logger.info("run released: the worker is stopping", fields);
            case "abandoned":
              return; // the worker warns about it, or another worker took the run over
            default: {
              const durationMs = Date.now() - run.startedAt;
              logger.info("run finished", { ...fields, status: end.status, durationMs, ...("error" in end && { error: end.error }) });
            }
          }
        },
      };
    },
  };
}
