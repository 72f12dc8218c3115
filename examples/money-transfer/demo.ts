// `npm start`: 50 bank transfers run as durable workflows in a worker process, which is killed
// with SIGKILL half-way. A second worker takes over, every transfer finishes, and the bank's books
// (in the store's own database) show no money lost or created and no withdraw or deposit applied
// twice.
//
// Set ENDURE_DEMO_DIR to choose the working directory (default .endure/demo; wiped at start), and
// ENDURE_STORE to run it on another store, e.g. an empty PostgreSQL schema:
// ENDURE_STORE="postgres://user:pw@localhost/db?schema=endure_demo" npm start
import { mkdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { Endure, type RunHandle } from "../../src/index.js";
import { type Audit, audit, openBank } from "./bank.js";
import { startWorkerProcess, type WorkerProcess } from "./worker-process.js";
import { transfer } from "./workflows.js";

const DIR = resolve(process.env.ENDURE_DEMO_DIR ?? ".endure/demo");
const STORE_URL = process.env.ENDURE_STORE ?? `sqlite:${join(DIR, "endure.db")}`;
const ACCOUNTS: Record<string, number> = { alice: 2000, bob: 1500, carol: 1000, dave: 750, erin: 500 };
const TRANSFERS = 50;
const CRASH_AFTER = 15; // completed transfers before the kill

interface Transfer { id: string; from: string; to: string; amount: number }

const workers = new Set<WorkerProcess>();
// Never leave a worker behind, whatever happens to this process.
process.on("exit", () => workers.forEach((worker) => void worker.crash()));

async function main(): Promise<boolean> {
  const startedAt = Date.now();
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  console.log(`Endure money-transfer demo (files in ${relative(process.cwd(), DIR) || "."})\n`);

  const endure = await Endure.open({ store: STORE_URL });
  await openBank(endure, ACCOUNTS);
  const before = await audit(endure);
  console.log(`1. A bank with ${Object.keys(ACCOUNTS).length} accounts holding ${usd(before.total)}, in the store's own database.`);

  const worker1 = await startWorker();
  console.log(`2. Worker 1 is up (pid ${worker1.pid}). Its lease is 1s, short for the demo, so a crash is recovered quickly.`);

  const plan = planTransfers(TRANSFERS);
  const handles: RunHandle<string>[] = [];
  for (const { id, from, to, amount } of plan) handles.push(await endure.start(transfer, [from, to, amount], { id }));
  console.log(`3. Started ${TRANSFERS} transfers (${plan[0]!.id} ... ${plan.at(-1)!.id}).`);

  const count = async (status: "completed" | "running") => (await endure.list({ status, limit: 1000 })).runs.length;
  await until(async () => (await count("completed")) >= CRASH_AFTER, `${CRASH_AFTER} transfers to complete`);
  await worker1.crash();
  workers.delete(worker1);
  const crashedAt = Date.now();
  const inFlight = await count("running");
  const atCrash = await audit(endure);
  console.log(`4. Killed worker 1 with SIGKILL (kill -9), with ${await count("completed")}/${TRANSFERS} transfers done and ${inFlight} in flight.`);
  if (atCrash.halfDone.length > 0) {
    const missing = atCrash.halfDone.reduce((sum, tx) => sum + tx.amount, 0);
    const n = atCrash.halfDone.length;
    console.log(`   The bank right now: ${n} transfer${n === 1 ? "" : "s"} withdrawn but not deposited, ${usd(missing)} in limbo.`);
  }

  const worker2 = await startWorker();
  console.log(`5. Worker 2 is up (pid ${worker2.pid}); it takes over the dead worker's runs once their leases lapse.`);

  const outcomes = await withDeadline(Promise.allSettled(handles.map((handle) => handle.result())), 30_000, "all transfers to finish");
  console.log(`6. All transfers finished, ${seconds(Date.now() - crashedAt)} after the crash.\n`);
  await worker2.stop();
  workers.delete(worker2);
  const after = await audit(endure);
  await endure.close();
  printBalances(before.balances, after.balances);

  const txIds = outcomes.map((outcome) => (outcome.status === "fulfilled" ? outcome.value : undefined));
  const completed = txIds.filter((txId) => txId !== undefined).length;
  const failed = outcomes.flatMap((outcome, i) => (outcome.status === "rejected" ? [`${plan[i]!.id}: ${String(outcome.reason)}`] : []));
  const ok = [
    check(failed.length === 0, `${completed}/${TRANSFERS} transfers completed`, failed.join("\n    ")),
    check(after.total === before.total, `money conserved: ${usd(before.total)} before, ${usd(after.total)} after`),
    check(
      after.appliedTwice.length === 0 && booksMatch(plan, txIds, after.transactions),
      `each withdraw and deposit applied exactly once: ${after.rows} ledger rows for ${completed} transfers`,
      after.appliedTwice.map((dup) => `${dup.txId} ${dup.kind}: ${dup.count} rows`).join("\n    "),
    ),
  ].every(Boolean);
  console.log("  (Each withdraw and deposit commits with its journal entry: one the kill cut short was rolled back and ran again; a committed one never ran again.)");
  console.log(`\n${ok ? "Done" : "FAILED"} in ${seconds(Date.now() - startedAt)}.`);
  return ok;
}

// Deterministic (seeded) transfers between random accounts. No account is planned to send more
// than it starts with, so no transfer can bounce whatever order the runs finish in.
function planTransfers(count: number): Transfer[] {
  const random = mulberry32(42);
  const names = Object.keys(ACCOUNTS);
  const sent = new Map<string, number>();
  const plan: Transfer[] = [];
  for (let tries = 0; plan.length < count; tries++) {
    if (tries > 10_000) throw new Error("could not plan the transfers; give the accounts more money");
    const from = names[Math.floor(random() * names.length)]!;
    const to = names[Math.floor(random() * names.length)]!;
    const amount = 5 + Math.floor(random() * 96);
    if (from === to || (sent.get(from) ?? 0) + amount > ACCOUNTS[from]!) continue;
    sent.set(from, (sent.get(from) ?? 0) + amount);
    plan.push({ id: `transfer-${plan.length + 1}`, from, to, amount });
  }
  return plan;
}

// Every txId a run returned has exactly its withdraw and its deposit in the ledger, and the ledger
// has nothing else (e.g. no withdraw under a txId a crashed attempt generated and lost).
function booksMatch(plan: Transfer[], txIds: (string | undefined)[], ledger: Audit["transactions"]): boolean {
  return txIds.length === ledger.size && plan.every((planned, i) => {
    const tx = ledger.get(txIds[i] ?? "");
    return tx !== undefined && tx.from === planned.from && tx.to === planned.to && tx.amount === planned.amount;
  });
}

async function startWorker(): Promise<WorkerProcess> {
  const worker = await startWorkerProcess(STORE_URL);
  workers.add(worker);
  return worker;
}

function printBalances(before: Record<string, number>, after: Record<string, number>): void {
  const row = (name: string, a: string, b: string) => console.log(`  ${name.padEnd(8)}${a.padStart(9)}${b.padStart(9)}`);
  row("account", "before", "after");
  for (const name of Object.keys(before)) row(name, usd(before[name]!), usd(after[name] ?? 0));
  const sum = (balances: Record<string, number>) => Object.values(balances).reduce((total, n) => total + n, 0);
  row("total", usd(sum(before)), usd(sum(after)));
  console.log();
}

function check(passed: boolean, what: string, details = ""): boolean {
  console.log(`${passed ? "✓" : "✗"} ${what}${!passed && details ? `\n    ${details}` : ""}`);
  return passed;
}

async function until(condition: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds(ms)} waiting for ${what}`);
    await delay(5);
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${seconds(ms)} waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const usd = (n: number) => `$${n.toLocaleString("en-US")}`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

try {
  process.exitCode = (await main()) ? 0 : 1;
} catch (error) {
  console.error(`\n✗ The demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await Promise.all([...workers].map((worker) => worker.crash()));
}
