import { cpus, totalmem } from "node:os";
import type { BenchOptions } from "./cli.js";
import { type BenchDatabase, openDatabase } from "./databases.js";
import type { FloorMetrics } from "./floor.js";
import { medianOfEach, nowMs } from "./stats.js";
import { type Metrics, WORKLOADS, type WorkloadId } from "./workload-registry.js";

export interface Pass {
  metrics: Metrics;
  /** The floor measured right before this pass: disk speed drifts on shared machines. */
  floor: FloorMetrics;
}

export interface Passes {
  /** The median of each metric over the passes. */
  metrics: Metrics;
  floor: FloorMetrics;
  passes: Pass[];
}

/** Runs a workload `runs` times, each in a fresh store right after its own floor measurement. */
export async function repeat(id: WorkloadId, runs: number, measureFloor: () => Promise<FloorMetrics>): Promise<Passes> {
  const passes: Pass[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    const passFloor = await measureFloor();
    passes.push({ floor: passFloor, metrics: await WORKLOADS[id].run() });
    console.error(`  ${id}${runs > 1 ? ` pass ${i + 1}/${runs}` : ""}: ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  }
  return {
    metrics: medianOfEach(passes.map((pass) => pass.metrics)),
    floor: medianOfEach(passes.map((pass) => pass.floor)),
    passes,
  };
}

/** The machine the numbers were measured on. */
export function machine() {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGiB: +(totalmem() / 2 ** 30).toFixed(1) };
}

/**
 * Runs the chosen workloads on the chosen store, in order, with `runs` passes each; the database
 * (a throwaway PostgreSQL server) is stopped before it returns.
 */
export async function runWorkloads(options: BenchOptions): Promise<{ database: BenchDatabase; results: Partial<Record<WorkloadId, Passes>> }> {
  const { node, cpus: cores, cpuModel } = machine();
  console.error(`Endure bench on ${options.store}: ${options.only.join(",")}, ${options.runs} pass(es) each; node ${node}, ${cores} × ${cpuModel}`);
  const database = await openDatabase(options.store);
  const results: Partial<Record<WorkloadId, Passes>> = {};
  try {
    for (const id of options.only) results[id] = await repeat(id, options.runs, () => database.floor());
  } finally {
    await database.stop();
  }
  return { database, results };
}
