// `endure dev`: the API, a worker child process restarted when the file changes, and a Ctrl-C
// that leaves no process behind.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { cliProject } from "./helpers/cli-project.js";

/** The pids of a process's children (Linux `ps`). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const WORKFLOWS = `
import { step, workflow } from "endure";
import { RELEASE } from "./lib/release.js";
const release = step("release", async () => RELEASE);
export const version = workflow("version", async () => await release());
`;

test("endure dev serves the API, reloads the worker when a file changes, and stops it on Ctrl-C", async (t) => {
  const project = await cliProject(t);
  // At the project's root, beside the SQLite store that every step writes: only code changes reload.
  project.write("workflows.ts", WORKFLOWS);
  project.write("lib/release.ts", `export const RELEASE = "v1";\n`);
  const dev = project.start("dev", "workflows.ts", "--port", "0");
  const [, url] = await dev.waitFor(/the HTTP API at (http:\/\/127\.0\.0\.1:\d+)/);
  await dev.waitFor(/Worker started\./);
  assert.equal((await fetch(`${url}/health`)).status, 200);

  // A run started through the HTTP API, run by the worker child.
  const started = await fetch(`${url}/api/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ workflow: "version" }) });
  assert.equal(started.status, 201, await started.clone().text());
  const { id } = (await started.json()) as { id: string };
  const first = await waitUntil(async () => {
    const run = (await (await fetch(`${url}/api/runs/${encodeURIComponent(id)}`)).json()) as { status: string; output?: string };
    return run.status === "completed" ? run : undefined;
  }, "the run started over HTTP to complete");
  assert.equal(first.output, "v1");
  // The worker's log, in lines for a person.
  await dev.waitFor(new RegExp(`info run finished runId=${id} workflow=version status=completed`));

  // A save that does not compile keeps the worker down, with the compiler's message.
  project.write("lib/release.ts", `export const RELEASE = ;\n`);
  await dev.waitFor(/does not compile: lib\/release\.ts:1:23: Unexpected ";"[^]*The worker did not start/);
  project.write("lib/release.ts", `export const RELEASE = "v2";\n`);
  await dev.waitFor(/Reloaded\./);
  await waitUntil(async () => {
    const run = await project.run("start", "version", "--wait", "--json");
    return (JSON.parse(run.stdout) as { output: string }).output === "v2";
  }, "a new run to return v2", 15_000, 50);
  assert.equal(dev.output().match(/changed: restarting the worker/g)?.length, 2, dev.output());

  const workers = childrenOf(dev.child.pid!);
  assert.equal(workers.length, 1, `one worker process under endure dev, got ${workers.join(", ")}`);
  assert.equal(await dev.stop(), 0);
  await waitUntil(() => !isAlive(workers[0]!), `the worker process ${workers[0]} to exit`);
});

test("the worker of endure dev stops by itself when dev is killed", async (t) => {
  const project = await cliProject(t);
  project.write("workflows.ts", WORKFLOWS);
  project.write("lib/release.ts", `export const RELEASE = "v1";\n`);
  const dev = project.start("dev", "workflows.ts", "--port", "0");
  await dev.waitFor(/Worker started\./);
  const [worker] = childrenOf(dev.child.pid!);
  assert.ok(worker !== undefined, "a worker process under endure dev");
  dev.child.kill("SIGKILL");
  await waitUntil(() => !isAlive(worker), `the worker process ${worker} to exit once its parent is gone`);
});

test("endure dev picks up the file's triggers and webhooks: a signed webhook call starts the trigger's run", async (t) => {
  const project = await cliProject(t);
  project.write("workflows.ts", `
import { trigger, webhook, workflow, type LoggedEvent } from "endure";
export const greet = workflow("greet", async (event: LoggedEvent<{ name: string }>) => \`hello \${event.payload.name}\`);
export const onSignup = trigger<{ name: string }>("greet-signups", { event: "shop.signup", workflow: greet });
export const shop = webhook("shop", { typeHeader: "X-Shop-Event", signature: { secret: "dev-secret-1234", header: "X-Signature" } });
`);
  const dev = project.start("dev", "workflows.ts", "--port", "0");
  const [, url] = await dev.waitFor(/the HTTP API at (http:\/\/127\.0\.0\.1:\d+)/);
  await dev.waitFor(/Worker running workflows greet, triggers greet-signups, webhooks shop/);

  const body = JSON.stringify({ name: "ada" });
  const signature = `sha256=${createHmac("sha256", "dev-secret-1234").update(body).digest("hex")}`;
  const call = await fetch(`${url}/webhooks/shop`, { method: "POST", headers: { "content-type": "application/json", "x-shop-event": "signup", "x-signature": signature }, body });
  assert.equal(call.status, 202, await call.clone().text());
  const { seq, type } = (await call.json()) as { seq: number; type: string };
  assert.equal(type, "shop.signup");
  const run = await waitUntil(async () => {
    const response = await fetch(`${url}/api/runs/${encodeURIComponent(`trigger:greet-signups:${seq}`)}`);
    const found = response.status === 200 ? ((await response.json()) as { status: string; output?: string }) : undefined;
    return found?.status === "completed" ? found : undefined;
  }, "the trigger's run to complete");
  assert.equal(run.output, "hello ada");
  assert.equal(await dev.stop(), 0);
});
