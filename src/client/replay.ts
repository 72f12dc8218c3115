import { isWorkflowDefinition, type WorkflowDefinition } from "../api/workflow.js";
import { type ReplayDivergence, replayRun } from "../engine/replay-run.js";
import { DEFAULT_PAYLOAD_LIMIT, Serializer } from "../serialization/serializer.js";
import type { RunStatus } from "../store/store.js";
import type { RunExport } from "./run-export.js";

/** What replaying one recorded run against the current code found. */
export interface ReplayReport {
  runId: string;
  workflow: string;
  /** The run's status when it was read. */
  status: RunStatus;
  /**
   * `ok`: the code makes the calls the journal recorded (and a run that ended ends there again);
   * `diverged`: see `divergence`; `error`: the replay could not run, see `error`.
   */
  result: "ok" | "diverged" | "error";
  /** Where the code no longer matches the journal (`position` null: the run as a whole ends differently). */
  divergence?: ReplayDivergence & { message: string };
  error?: string;
  /** Each `patched()` change the replay met, and which path the run takes. */
  patches: { id: string; path: "new" | "old" }[];
}

/** Workflow definitions: an array, or an object such as a module namespace (`import * as workflows`; other exports are ignored). */
export type WorkflowSet = readonly WorkflowDefinition<never[], unknown>[] | Readonly<Record<string, unknown>>;

const CONCURRENT_REPLAYS = 32;

/**
 * Replays recorded runs against the current code, without executing any step or writing
 * anything, and reports each run whose journal the code no longer matches. Run it in CI before a
 * deploy, on runs exported from production (`endure export`) or read from a store
 * (`endure.recordedRuns()`); `endure replay` is the same from the command line.
 *
 * A run of a workflow that `workflows` does not define is reported as an error.
 *
 * @example
 * ```ts
 * const reports = await checkReplay([transfer], [parseRunExport(readFileSync("tx-42.json", "utf8"), "tx-42.json")]);
 * assert.deepEqual(reports.filter((report) => report.result !== "ok"), []);
 * ```
 */
export async function checkReplay(workflows: WorkflowSet, runs: Iterable<RunExport> | AsyncIterable<RunExport>): Promise<ReplayReport[]> {
  const byName = new Map<string, WorkflowDefinition>();
  for (const value of Array.isArray(workflows) ? workflows : Object.values(workflows)) {
    if (isWorkflowDefinition(value)) byName.set(value.name, value as WorkflowDefinition);
  }
  const serializer = new Serializer(DEFAULT_PAYLOAD_LIMIT);
  // Replays interleave: each hands its outcomes over one per event-loop turn.
  const reports: Promise<ReplayReport>[] = [];
  const inFlight = new Set<Promise<unknown>>();
  for await (const run of runs) {
    if (inFlight.size >= CONCURRENT_REPLAYS) await Promise.race(inFlight);
    const report = replayOne(byName.get(run.run.workflow), run, serializer);
    const settled = report.finally(() => inFlight.delete(settled));
    inFlight.add(settled);
    reports.push(report);
  }
  return Promise.all(reports);
}

async function replayOne(definition: WorkflowDefinition | undefined, { run, journal }: RunExport, serializer: Serializer): Promise<ReplayReport> {
  const report = { runId: run.id, workflow: run.workflow, status: run.status };
  if (!definition) {
    return { ...report, result: "error", error: `The code defines no workflow "${run.workflow}": check the run against the file that defines it.`, patches: [] };
  }
  try {
    const { divergence, patches } = await replayRun(definition, { run, journal }, serializer);
    const paths = [...patches].map(([id, taken]) => ({ id, path: taken ? ("new" as const) : ("old" as const) }));
    if (!divergence) return { ...report, result: "ok", patches: paths };
    return { ...report, result: "diverged", divergence: { ...divergence, message: divergenceMessage(divergence) }, patches: paths };
  } catch (error) {
    return { ...report, result: "error", error: `The replay failed: ${(error as Error).message ?? String(error)}`, patches: [] };
  }
}

function divergenceMessage({ position, expected, actual }: ReplayDivergence): string {
  const where = position === null ? "" : ` at position ${position}`;
  return `diverges${where}: the journal recorded ${expected}, but the code now does ${actual}`;
}

/** One `patched()` change, and the unfinished runs on each of its paths. */
export interface PatchUsage {
  id: string;
  /** Unfinished runs that went past the change without it: the old branch must stay for them. */
  oldPath: string[];
  /** Unfinished runs that took the new path. */
  newPath: string[];
}

/**
 * Which unfinished runs still need each patch's old path, from replay reports of the unfinished
 * runs (`endure patches` prints it). A patch with none on its old path can lose its old branch.
 * @param ids Patches to report even when no run met them.
 */
export function patchUsage(reports: readonly ReplayReport[], ids: readonly string[] = []): PatchUsage[] {
  const usage = new Map<string, PatchUsage>(ids.map((id) => [id, { id, oldPath: [], newPath: [] }]));
  for (const report of reports) {
    for (const { id, path } of report.patches) {
      let patch = usage.get(id);
      if (!patch) usage.set(id, (patch = { id, oldPath: [], newPath: [] }));
      (path === "old" ? patch.oldPath : patch.newPath).push(report.runId);
    }
  }
  return [...usage.values()].sort((a, b) => a.id.localeCompare(b.id));
}
