// `endure serve` and `endure worker --port`: the HTTP API from the command line, and its refusals.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";
import { cliProject } from "./helpers/cli-project.js";

const GREET = `
import { step, workflow } from "endure";
const hello = step("hello", async (name: string) => \`hello \${name}\`);
export const greet = workflow("greet", async (name: string) => await hello(name));
`;

test("serve prints its URL and answers with the store's runs; a worker with --port serves the API too", async (t) => {
  const project = await cliProject(t);
  project.write("greet.ts", GREET);
  const worker = project.start("worker", "greet.ts", "--port", "0");
  const [, workerUrl] = await worker.waitFor(/Worker running workflows greet, the HTTP API at (http:\/\/127\.0\.0\.1:\d+)\./);
  assert.deepEqual(await (await fetch(`${workerUrl}/api/workflows`)).json(), { workflows: ["greet"] });
  assert.equal((await project.run("start", "greet", '"ada"', "--id", "g1", "--wait")).code, 0);
  const workerMetrics = await (await fetch(`${workerUrl}/metrics`)).text();
  assert.match(workerMetrics, /^endure_runs_started_total\{workflow="greet"\} 1$/m);

  const serve = project.start("serve", "--port", "0");
  const [, url] = await serve.waitFor(/Endure API listening at (http:\/\/127\.0\.0\.1:\d+)\. Ctrl-C stops it\./);
  const run = (await (await fetch(`${url}/api/runs/g1`)).json()) as { status: string; output: string };
  assert.deepEqual([run.status, run.output], ["completed", "hello ada"]);
  assert.match(await (await fetch(`${url}/metrics`)).text(), /^endure_runs\{status="completed"\} 1$/m);
  assert.equal(await serve.stop(), 0);
  assert.equal(await worker.stop("SIGTERM"), 0);
  assert.match(worker.output(), /Stopping: runs in progress finish their steps and are handed back\.\n$/);
});

test("serve refuses a public address without a token, and a port in use, with exit code 2", async (t) => {
  const project = await cliProject(t);
  const open = await project.run("serve", "--host", "0.0.0.0", "--port", "0");
  assert.equal(open.code, 2);
  assert.match(open.stderr, /^endure: .*token.* \(TOKEN_REQUIRED\)\n$/);

  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  t.after(() => taken.close());
  const port = (taken.address() as { port: number }).port;
  const busy = await project.run("serve", "--port", String(port));
  assert.equal(busy.code, 2);
  assert.match(busy.stderr, new RegExp(`^endure: Port ${port} on 127\\.0\\.0\\.1 is already in use.* \\(ADDRESS_IN_USE\\)\\n$`));
});
