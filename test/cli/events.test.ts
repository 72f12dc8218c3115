// The event log from the command line: emit, list, show, redispatch, triggers and webhooks.
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitUntil } from "../helpers/wait-until.js";
import { type CliProject, cliProject } from "./helpers/cli-project.js";

const WORKFLOWS = `
import { trigger, webhook, workflow } from "endure";

export const deploy = workflow("deploy", async (event: { payload: unknown }) => event.payload);
export const deployOnPaid = trigger("deploy-on-paid", { event: "order.paid", workflow: deploy });
export const github = webhook("github", { typeHeader: "X-GitHub-Event", signature: { secret: "do-not-show-me" }, deliveryHeader: "X-GitHub-Delivery" });
export const inbox = webhook("inbox", { type: "mail.received" });
`;

/** A project whose worker runs the file above: it registers the trigger and the webhooks, and dispatches the trigger. */
async function withWorker(t: { after(fn: () => unknown): void }): Promise<CliProject> {
  const project = await cliProject(t);
  project.write("src/workflows.ts", WORKFLOWS);
  await project.start("worker", "src/workflows.ts").waitFor(/Worker running workflows .*deploy/);
  return project;
}

test("emit, events, events show, events redispatch: a user's round trip", async (t) => {
  const project = await withWorker(t);

  const emitted = await project.run("emit", "order.paid", '{"order": "o-7", "amount": 42}', "--key", "o-7-paid");
  assert.equal(emitted.code, 0, emitted.stderr);
  const seq = Number(/^Recorded event #(\d+) \(order\.paid\)\. "endure events show \1" shows the runs it starts\.$/m.exec(emitted.stdout)?.[1]);
  assert.ok(seq > 0, emitted.stdout);
  const again = await project.run("emit", "order.paid", '{"order": "o-8"}', "--key", "o-7-paid");
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, `An event with key "o-7-paid" was recorded before, as #${seq}; nothing new was recorded.\n`);
  const shipped = JSON.parse((await project.run("emit", "order.shipped", "--source", "warehouse", "--json")).stdout) as { seq: number; source: string; payload: unknown };
  assert.deepEqual([shipped.source, shipped.payload], ["warehouse", null]);

  const listed = await project.run("events");
  assert.equal(listed.code, 0, listed.stderr);
  const [header, ...rows] = listed.stdout.trimEnd().split("\n");
  assert.match(header!, /^SEQ\s+TYPE\s+SOURCE\s+RECEIVED\s+KEY$/);
  const received = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";
  assert.equal(rows.length, 2, listed.stdout);
  assert.match(rows[0]!, new RegExp(`^${shipped.seq}\\s+order\\.shipped\\s+warehouse\\s+${received}$`));
  assert.match(rows[1]!, new RegExp(`^${seq}\\s+order\\.paid\\s+cli\\s+${received}\\s+o-7-paid$`));
  const paid = JSON.parse((await project.run("events", "--type", "order.paid", "--json")).stdout) as { events: { seq: number }[] };
  assert.deepEqual(paid.events.map((event) => event.seq), [seq]);
  assert.deepEqual((JSON.parse((await project.run("events", "list", "--source", "warehouse", "--json")).stdout) as typeof paid).events.map((event) => event.seq), [shipped.seq]);

  // The worker's trigger starts a run for the paid order.
  const shown = await waitUntil(async () => {
    const result = await project.run("events", "show", String(seq));
    return /trigger:deploy-on-paid:\d+\s+deploy\s+completed/.test(result.stdout) ? result : undefined;
  }, "the trigger's run to complete", 15_000, 50);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, new RegExp(`^Event #${seq}  order\\.paid\\n`));
  assert.match(shown.stdout, /source {4}cli\n/);
  assert.match(shown.stdout, /key {7}o-7-paid\n/);
  assert.match(shown.stdout, /payload\n {4}\{\n {6}"order": "o-7",\n {6}"amount": 42\n {4}\}\n/);
  assert.match(shown.stdout, new RegExp(`RUN\\s+WORKFLOW\\s+STATUS\\s+CREATED\\ntrigger:deploy-on-paid:${seq}\\s+deploy\\s+completed`));

  const redispatched = await project.run("events", "redispatch", String(seq), "--trigger", "deploy-on-paid");
  assert.equal(redispatched.code, 0, redispatched.stderr);
  const copySeq = Number(new RegExp(`^Re-dispatched event #${seq} as #(\\d+): trigger deploy-on-paid starts a new run for it`).exec(redispatched.stdout)?.[1]);
  assert.ok(copySeq > shipped.seq, redispatched.stdout);
  const copy = await waitUntil(async () => {
    const result = await project.run("events", "show", String(copySeq));
    return result.stdout.includes(`trigger:deploy-on-paid:${copySeq}`) ? result : undefined;
  }, "the copy's run", 15_000, 50);
  assert.match(copy.stdout, new RegExp(`copy of {3}#${seq} for trigger deploy-on-paid\\n`));
  const shippedShown = await project.run("events", "show", String(shipped.seq));
  assert.match(shippedShown.stdout, /It started no runs/);
});

test("bad input exits 2, an unknown event 3, each with a one-line message, and nothing is recorded", async (t) => {
  const project = await cliProject(t);
  const cases: [string[], number, RegExp][] = [
    [["emit", "bad type"], 2, /^endure: emit\(\): an event type must be 1 to 200 letters.*\(INVALID_ARGUMENT\)\n$/],
    [["emit", "order.paid", "{not json"], 2, /^endure: Invalid JSON for the event's payload: .*Pass JSON in single quotes.*\(INVALID_JSON\)\n$/],
    [["emit", "order.paid", "--key", ""], 2, /key must be 1 to 255 printable characters.*\(INVALID_ARGUMENT\)\n$/],
    [["events", "show", "999"], 3, /^endure: No event with seq 999 exists in this store's event log\..*\(EVENT_NOT_FOUND\)\n$/],
    [["events", "show", "abc"], 2, /^endure: .*Use a whole number from 1 to/],
    [["events", "redispatch", "5"], 3, /\(EVENT_NOT_FOUND\)\n$/],
    [["events", "--limit", "0"], 2, /Use a whole number from 1 to 1000/],
  ];
  for (const [args, code, stderr] of cases) {
    const result = await project.run(...args);
    assert.equal(result.code, code, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, stderr, args.join(" "));
  }
  assert.equal((await project.run("events")).stdout, "No events.\n");

  const seq = (JSON.parse((await project.run("emit", "order.paid", "--json")).stdout) as { seq: number }).seq;
  const unknown = await project.run("events", "redispatch", String(seq), "--trigger", "nope");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^endure: No trigger named "nope" is registered \(known: none yet\)\..*\(UNKNOWN_TRIGGER\)\n$/);
  assert.equal((JSON.parse((await project.run("events", "--json")).stdout) as { events: unknown[] }).events.length, 1);
});

test("triggers and webhooks list what workers registered", async (t) => {
  const empty = await cliProject(t);
  assert.equal((await empty.run("triggers")).stdout, "No triggers. Workers register the triggers their workflow file exports.\n");
  assert.equal((await empty.run("webhooks")).stdout, "No webhooks. Workers register the webhooks their workflow file exports.\n");
  const project = await withWorker(t);

  const triggers = await project.run("triggers");
  assert.equal(triggers.code, 0, triggers.stderr);
  assert.match(triggers.stdout, /^NAME\s+EVENT TYPE\s+WORKFLOW\s+CURSOR\ndeploy-on-paid\s+order\.paid\s+deploy\s+0 \(log at 0\)\n$/);
  const webhooks = await project.run("webhooks");
  assert.equal(webhooks.code, 0, webhooks.stderr);
  const lines = webhooks.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^PATH\s+EVENT TYPE\s+SIGNED\s+DELIVERY ID$/);
  assert.match(lines[1]!, /^\/webhooks\/github\s+github\.<x-github-event>\s+yes \(x-hub-signature-256\)\s+x-github-delivery$/);
  assert.match(lines[2]!, /^\/webhooks\/inbox\s+mail\.received\s+no \(API token\)$/);
  const json = await project.run("webhooks", "--json");
  assert.doesNotMatch(json.stdout, /do-not-show-me/);
  assert.deepEqual((JSON.parse(json.stdout) as { webhooks: { name: string }[] }).webhooks.map((hook) => hook.name), ["github", "inbox"]);
});
