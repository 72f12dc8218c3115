/**
 * The HTTP callers of workload J, in a process of their own as an application's would be: node's
 * http client with keep-alive connections (fetch costs a millisecond more per request, which would
 * be measured instead of the server). Prints one JSON line of timings.
 *
 *   tsx bench/http-caller.ts <server url> <workflow> <starts> <in flight> <reads>
 */
import http from "node:http";
import { nowMs, percentile } from "./stats.js";

const [url, workflow, starts, inFlight, reads] = process.argv.slice(2) as [string, string, string, string, string];
const { hostname, port } = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(inFlight) });

function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = text === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(text) };
    const request = http.request({ hostname, port, path, method, agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const json = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        if ((response.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: HTTP ${response.statusCode} ${JSON.stringify(json)}`));
        else resolve({ status: response.statusCode!, json });
      });
    });
    request.on("error", reject);
    request.end(text);
  });
}

const start = async () => (await call("POST", "/api/runs", { workflow, args: [] })).json.id as string;

async function startAll(count: number): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(Array.from({ length: Number(inFlight) }, async () => {
    while (ids.length < count) {
      const slot = ids.push("") - 1;
      ids[slot] = await start();
    }
  }));
  return ids;
}

async function timeReads(path: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < Number(reads); i++) {
    const at = nowMs();
    await call("GET", path);
    samples.push(nowMs() - at);
  }
  return samples;
}

await startAll(Number(inFlight)); // warm-up: open the connections
const began = nowMs();
const [first] = await startAll(Number(starts));
const startSeconds = (nowMs() - began) / 1000;
const runPath = `/api/runs/${encodeURIComponent(first!)}`;
const deadline = Date.now() + 60_000;
while ((await call("GET", runPath)).json.status !== "completed") {
  if (Date.now() > deadline) throw new Error(`run ${first} did not complete within a minute`);
  await new Promise((resolve) => setTimeout(resolve, 20));
}
const gets = await timeReads(runPath);
const lists = await timeReads("/api/runs?limit=50");
agent.destroy();
console.log(JSON.stringify({
  startsPerSec: Number(starts) / startSeconds,
  getP50Ms: percentile(gets, 50),
  getP99Ms: percentile(gets, 99),
  listP50Ms: percentile(lists, 50),
}));
