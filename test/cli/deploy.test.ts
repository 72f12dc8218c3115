// A deploy while runs are in flight, as a team does it: real worker processes serving a real file,
// the replay check in CI before the deploy, a bad deploy that blocks a run, and the fix that
// recovers it with nothing lost.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { type CliProject, cliProject } from "./helpers/cli-project.js";

/** An order workflow; `change` is spliced into the file as a later deploy would have it. */
const orderFile = (change: { beforeWait: string; afterWait: string }) => `
import { appendFileSync } from "node:fs";
import { patched, step, waitForEvent, workflow } from "endure";

// Each execution of a step is recorded, to check that a deploy neither loses nor repeats one.
const effect = (name: string) => step(name, async (order: string) => {
  appendFileSync("effects.log", \`\${name}:\${order}\\n\`);
  return name;
});
const [reserve, checkFraud, notify, ship] = [effect("reserve"), effect("check-fraud"), effect("notify"), effect("ship")];

export const order = workflow("order", async (id: string) => {
  const done = [await reserve(id)];
  ${change.beforeWait}
  await waitForEvent("paid");
  ${change.afterWait}
  done.push(await ship(id));
  return done;
});
void patched, checkFraud, notify;
`;
const V1 = orderFile({ beforeWait: "", afterWait: "" });
/** The change as it must be made: behind patched(). */
const V2 = orderFile({
  beforeWait: `if (patched("fraud-check")) done.push(await checkFraud(id));`,
  afterWait: `if (patched("notify")) done.push(await notify(id));`,
});
/** The same change made carelessly: runs that already passed the fraud check's place cannot replay it. */
const V2_UNPATCHED = orderFile({ beforeWait: "done.push(await checkFraud(id));", afterWait: "done.push(await notify(id));" });

async function showJson(project: CliProject, id: string): Promise<{ status: string; output?: unknown; journal: { kind: string; name: string }[] }> {
  const shown = await project.run("show", id, "--json");
  assert.equal(shown.code, 0, shown.stderr);
  return JSON.parse(shown.stdout) as { status: string; output?: unknown; journal: { kind: string; name: string }[] };
}

const untilStatus = (project: CliProject, id: string, status: string) =>
  waitUntil(async () => (await showJson(project, id)).status === status, `run ${id} to be ${status}`, 20_000, 50);

async function deploy(project: CliProject, source: string) {
  project.write("src/workflows.ts", source);
  const worker = project.start("worker", "src/workflows.ts");
  await worker.waitFor(/Worker running workflows order/);
  return worker;
}

test("runs in flight survive a deploy of patched code; a careless deploy is caught by endure replay, and the run it blocked recovers", async (t) => {
  const project = await cliProject(t);
  const effects = () => readFileSync(join(project.dir, "effects.log"), "utf8").trim().split("\n").sort();

  // v1 is live: two orders reserve and wait for payment.
  const v1 = await deploy(project, V1);
  for (const id of ["a", "b"]) {
    assert.equal((await project.run("start", "order", JSON.stringify([id]), "--id", id)).code, 0);
    await untilStatus(project, id, "waiting");
  }
  const exported = await project.run("export", "a", "--out", "a.json");
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stdout, /Wrote run a \(order, waiting, 2 journal entries\) to a\.json\./);

  // Before the deploy, CI replays the recorded runs against the new code.
  project.write("src/careless.ts", V2_UNPATCHED);
  const careless = await project.run("replay", "src/careless.ts");
  assert.equal(careless.code, 5, careless.stdout + careless.stderr);
  assert.match(careless.stdout, /FAIL a .*diverges at position 1: the journal recorded waitForEvent\("paid"\), but the code now does step "check-fraud"/);
  assert.match(careless.stdout, /2 runs replayed: 0 match, 2 do not\./);
  const carelessFile = await project.run("replay", "src/careless.ts", "--from", "a.json");
  assert.equal(carelessFile.code, 5);
  project.write("src/next.ts", V2);
  const clean = await project.run("replay", "src/next.ts", "--json");
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  const report = JSON.parse(clean.stdout) as { replayed: number; diverged: number; reports: { runId: string; patches: { id: string; path: string }[] }[] };
  assert.equal(report.replayed, 2);
  assert.equal(report.diverged, 0);
  assert.deepEqual(report.reports.find((run) => run.runId === "a")!.patches, [{ id: "fraud-check", path: "old" }]);
  const patches = await project.run("patches", "src/next.ts");
  assert.equal(patches.code, 0, patches.stderr);
  assert.match(patches.stdout, /fraud-check\s+2 \(\w, \w\)\s+0\s+keep both branches until these runs finish/);

  // Someone deploys the careless code anyway: b, paid, is blocked, its journal kept.
  await v1.stop();
  const bad = await deploy(project, V2_UNPATCHED);
  assert.equal((await project.run("send", "b", "paid", "true")).code, 0);
  await untilStatus(project, "b", "blocked");
  const blocked = await project.run("show", "b");
  assert.match(blocked.stdout, /position 1/);
  await bad.stop();

  // The fix: the patched code. b is retried; a is paid meanwhile; a new order starts.
  const v2 = await deploy(project, V2);
  const retried = await project.run("retry", "b");
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal((await project.run("send", "a", "paid", "true")).code, 0);
  const started = await project.run("start", "order", '["c"]', "--id", "c");
  assert.equal(started.code, 0, started.stderr);
  for (const id of ["a", "b"]) await untilStatus(project, id, "completed");
  assert.equal((await project.run("send", "c", "paid", "true")).code, 0);
  await untilStatus(project, "c", "completed");

  // The old runs kept the path they were on and took the new one where they had not been yet.
  assert.deepEqual((await showJson(project, "a")).output, ["reserve", "notify", "ship"]);
  assert.deepEqual((await showJson(project, "b")).output, ["reserve", "notify", "ship"]);
  assert.deepEqual((await showJson(project, "c")).output, ["reserve", "check-fraud", "notify", "ship"]);
  // Nothing was lost or done twice: each step ran once per order.
  assert.deepEqual(effects(), ["check-fraud:c", "notify:a", "notify:b", "notify:c", "reserve:a", "reserve:b", "reserve:c", "ship:a", "ship:b", "ship:c"]);

  // With no run left on the old path, endure patches says the old branch can go.
  const after = await project.run("patches", "src/workflows.ts", "fraud-check");
  assert.match(after.stdout, /fraud-check\s+0\s+0\s+remove the old branch: deprecatePatch\("fraud-check"\)/);
  await v2.stop();
});

test("endure replay and export refuse bad input with a clear error", async (t) => {
  const project = await cliProject(t);
  project.write("src/workflows.ts", V1);
  project.write("not-a-run.json", JSON.stringify({ format: "endure-run/1", run: { id: "x" }, journal: [] }));
  const badFile = await project.run("replay", "src/workflows.ts", "--from", "not-a-run.json");
  assert.equal(badFile.code, 2);
  assert.match(badFile.stderr, /not-a-run\.json is not a run exported by "endure export": run\.workflow: .*\(INVALID_RUN_EXPORT\)/);
  const missing = await project.run("replay", "src/workflows.ts", "--from", "missing.json");
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing\.json .*the file cannot be read \(ENOENT\)/);
  const unknown = await project.run("export", "nope");
  assert.equal(unknown.code, 3);
  const empty = await project.run("replay", "src/workflows.ts");
  assert.equal(empty.code, 0);
  assert.match(empty.stdout, /No recorded run to replay\./);
});
