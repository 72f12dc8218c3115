import { spawn } from "node:child_process";
import { REPO_ROOT } from "../../test/crash/fixtures/processes.js";
import { type Endure, startServer, workflow } from "../endure.js";
import { openBench } from "../harness.js";
import { nowMs } from "../stats.js";
import { noop } from "../workflows.js";

/** What bench/http-caller.ts measures. */
interface CallerMetrics {
  startsPerSec: number;
  getP50Ms: number;
  getP99Ms: number;
  listP50Ms: number;
}

export interface HttpMetrics extends CallerMetrics, Record<string, number> {
  clientStartsPerSec: number;
}

const STARTS = 2000;
/** Requests in flight at once: as many callers as B has runs in flight, halved. */
const IN_FLIGHT = 50;
const READS = 500;

const tenSteps = workflow("bench-j-ten-steps", async () => {
  for (let i = 0; i < 10; i++) await noop();
});

/**
 * J: the HTTP API on loopback, with the worker in the server's process (as `endure dev` runs
 * them). Callers in another process (bench/http-caller.ts) send 2000 `POST /api/runs` of a
 * 10-step workflow, 50 in flight, timed until every start is answered; then read a finished run
 * (`GET /api/runs/{id}`) and a page of 50 runs, one request at a time. For comparison, the same
 * 2000 starts through the client in the server's process.
 */
export async function httpApi(): Promise<HttpMetrics> {
  const bench = await openBench([tenSteps]);
  const server = await startServer({ endure: bench.endure, port: 0 });
  try {
    const http = JSON.parse(await runCallers(server.url)) as CallerMetrics;
    await untilAllCompleted(bench.endure, STARTS + IN_FLIGHT);

    const began = nowMs();
    const handles = await Promise.all(Array.from({ length: STARTS }, () => bench.endure.start(tenSteps, [])));
    const clientStartsPerSec = STARTS / ((nowMs() - began) / 1000);
    await Promise.all(handles.map((handle) => handle.result()));
    return { ...http, clientStartsPerSec };
  } finally {
    await server.close();
    await bench.close();
  }
}

function runCallers(url: string): Promise<string> {
  const args = ["--import", "tsx", "bench/http-caller.ts", url, tenSteps.name, String(STARTS), String(IN_FLIGHT), String(READS)];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(output.trim().split("\n").at(-1)!) : reject(new Error(`bench/http-caller.ts exited with ${code}`))));
  });
}

async function untilAllCompleted(endure: Endure, total: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await endure.statusCounts()).completed < total) {
    if (Date.now() > deadline) throw new Error(`J: the ${total} runs started over HTTP did not all complete within 2 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
