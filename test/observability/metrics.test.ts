import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createMetrics, type Logger, NonRetryableError, queue, startServer, step, waitForEvent, workflow } from "../../src/index.js";
import { createOrphanRun } from "../helpers/orphan-run.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { waitUntil } from "../helpers/wait-until.js";

/**
 * The value of one sample of Prometheus's text format: the line of `name` with exactly these
 * labels; undefined when there is none.
 */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, key, value]) => [key!, value!]));
    if (JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())) return Number(match[3]);
  }
  return undefined;
}

const quick = step("quick", async () => "ok");
const decline = step("decline", async () => {
  throw new NonRetryableError("the card was declined");
});
let flakyCalls = 0;
const flaky = step("flaky", async () => {
  if (++flakyCalls === 1) throw new Error("the bank timed out");
  return "ok";
}, { retry: { initialDelay: "10ms" } });

const completes = workflow("metered-completes", async () => await quick());
const fails = workflow("metered-fails", async () => await decline());
const retries = workflow("metered-retries", async () => await flaky());
/** Holds its queue slot until it gets "go". */
const held = workflow("metered-held", async () => await waitForEvent("go"));
const orders = queue("metered-orders", { concurrency: 1 });

describe("metrics", () => {
  test("count runs started and finished by status, step attempts by outcome and retries, take-overs, and read run and queue counts from the store", async (t) => {
    const { endure, url, close } = await openTestEndure();
    t.after(close);
    const metrics = createMetrics({ endure });
    await createOrphanRun(url, "orphan", "metered-completes");
    await endure.startWorker({ workflows: [completes, fails, retries, held], queues: [orders], metrics, pollInterval: 10 });

    assert.equal(await (await endure.start(completes, [])).result(), "ok");
    await assert.rejects((await endure.start(fails, [])).result(), { name: "RunFailedError" });
    assert.equal(await (await endure.start(retries, [])).result(), "ok");
    for (const id of ["held-1", "held-2", "held-3"]) await endure.start(held, [], { id, queue: orders });
    await waitUntil(async () => {
      const [state] = await endure.queues();
      return state?.active === 1 && state.queued === 2;
    }, "one held run admitted, two queued");
    await waitUntil(async () => (await endure.handle("orphan").status()) === "completed", "the orphan run to be taken over and completed");

    const text = await metrics.metrics();
    assert.equal(metrics.contentType, metrics.registry.contentType);
    assert.match(metrics.contentType, /^text\/plain; version=0\.0\.4/);
    assert.equal(sample(text, "endure_runs_started_total", { workflow: "metered-completes" }), 1, "the orphan was started by the worker that died");
    assert.equal(sample(text, "endure_runs_started_total", { workflow: "metered-fails" }), 1);
    assert.equal(sample(text, "endure_runs_finished_total", { workflow: "metered-completes", status: "completed" }), 2);
    assert.equal(sample(text, "endure_runs_finished_total", { workflow: "metered-fails", status: "failed" }), 1);
    assert.equal(sample(text, "endure_runs_finished_total", { workflow: "metered-retries", status: "completed" }), 1);
    assert.equal(sample(text, "endure_step_retries_total", { workflow: "metered-retries", step: "flaky" }), 1);
    assert.equal(sample(text, "endure_step_duration_seconds_count", { workflow: "metered-retries", step: "flaky", outcome: "retrying" }), 1);
    assert.equal(sample(text, "endure_step_duration_seconds_count", { workflow: "metered-retries", step: "flaky", outcome: "completed" }), 1);
    assert.equal(sample(text, "endure_step_duration_seconds_count", { workflow: "metered-fails", step: "decline", outcome: "failed" }), 1);
    assert.equal(sample(text, "endure_step_duration_seconds_count", { workflow: "metered-completes", step: "quick", outcome: "completed" }), 2);
    assert.equal(sample(text, "endure_step_duration_seconds_bucket", { workflow: "metered-completes", step: "quick", outcome: "completed", le: "+Inf" }), 2);
    assert.equal(sample(text, "endure_lease_takeovers_total"), 1);
    assert.equal(sample(text, "endure_queue_depth", { queue: "metered-orders" }), 2);
    assert.equal(sample(text, "endure_queue_active", { queue: "metered-orders" }), 1);
    assert.equal(sample(text, "endure_runs", { status: "completed" }), 3);
    assert.equal(sample(text, "endure_runs", { status: "failed" }), 1);
    assert.equal(sample(text, "endure_runs", { status: "queued" }), 2);
    assert.equal(sample(text, "endure_runs", { status: "blocked" }), 0, "every status has its count");
    // The held run waits for its event out of memory; everything else finished.
    await waitUntil(async () => sample(await metrics.metrics(), "endure_runs_in_memory") === 0, "no run in memory");
  });

  test("a scrape that cannot read the store still has the workers' metrics, and says what it left out", async (t) => {
    const warnings: string[] = [];
    const logger: Logger = { info: () => {}, warn: (message) => void warnings.push(message), error: () => {} };
    const { endure, close } = await openTestEndure();
    t.after(close);
    const metrics = createMetrics({ endure, logger });
    await endure.startWorker({ workflows: [completes], metrics, pollInterval: 10 });
    await (await endure.start(completes, [])).result();
    await endure.close(); // every call of the client now fails with ClosedError

    const text = await metrics.metrics();
    assert.equal(sample(text, "endure_runs_finished_total", { workflow: "metered-completes", status: "completed" }), 1);
    assert.doesNotMatch(text, /^endure_(runs|queue_depth)\{/m);
    assert.deepEqual(warnings, ["metrics: could not read the store; endure_runs, endure_queue_depth and endure_queue_active are left out of this scrape"]);
  });

  test("the HTTP server serves them at GET /metrics, with their content type", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    const metrics = createMetrics({ endure });
    await endure.startWorker({ workflows: [completes], metrics, pollInterval: 10 });
    await (await endure.start(completes, [])).result();
    const server = await startServer({ endure, metrics, port: 0 });
    t.after(() => server.close());

    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), metrics.contentType);
    const text = await response.text();
    assert.equal(sample(text, "endure_runs_finished_total", { workflow: "metered-completes", status: "completed" }), 1);
    assert.equal(sample(text, "endure_runs", { status: "completed" }), 1);
  });

  test("each createMetrics() has a registry of its own, not prom-client's global one", async () => {
    const { register } = await import("prom-client");
    const [a, b] = [createMetrics(), createMetrics()];
    assert.notEqual(a.registry, b.registry);
    assert.equal(await register.getSingleMetricAsString("endure_runs_started_total").catch(() => "absent"), "absent");
    assert.match(await a.metrics(), /^# HELP endure_runs_started_total /m);
    assert.doesNotMatch(await a.metrics(), /endure_queue_depth/, "without a client, no gauges read from the store");
  });
});
