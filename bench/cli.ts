import { parseArgs } from "node:util";
import type { StoreKind } from "./databases.js";
import { WORKLOAD_IDS, WORKLOADS, type WorkloadId } from "./workload-registry.js";

export interface BenchOptions {
  only: WorkloadId[];
  runs: number;
  store: StoreKind;
}

/**
 * The options `npm run bench` and `npm run bench:check` share. With `--help`, prints `usage` and
 * the options, and exits.
 */
export function parseBenchCli(usage: string): BenchOptions {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      store: { type: "string", default: "sqlite" },
      runs: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(`${usage}\n\noptions:\n` +
      `  --only   comma-separated workloads among ${WORKLOAD_IDS.join(",")} (default: all)\n` +
      "  --runs   passes per workload, each in a fresh store; the median of each metric is reported (default 1)\n" +
      "  --store  sqlite (default) or postgres: DATABASE_URL, else a throwaway server with fsync on\n\n" +
      `workloads:\n${WORKLOAD_IDS.map((id) => `  ${WORKLOADS[id].title}`).join("\n")}`);
    process.exit(0);
  }
  const only = values.only === undefined ? WORKLOAD_IDS : values.only.split(",").map((id) => id.trim().toUpperCase());
  const unknown = only.filter((id) => !WORKLOAD_IDS.includes(id as WorkloadId));
  if (unknown.length > 0 || only.length === 0) throw new Error(`--only takes workloads among ${WORKLOAD_IDS.join(",")}; got "${values.only}".`);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1; got "${values.runs}".`);
  if (values.store !== "sqlite" && values.store !== "postgres") throw new Error(`--store takes sqlite or postgres; got "${values.store}".`);
  return { only: only as WorkloadId[], runs, store: values.store };
}
