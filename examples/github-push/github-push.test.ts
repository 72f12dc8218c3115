// GitHub's push webhook over real HTTP: recorded payloads, signed as GitHub signs them.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { startServer } from "../../src/index.js";
import { openTestEndure } from "../../test/helpers/test-endure.js";
import { waitUntil } from "../../test/helpers/wait-until.js";

const SECRET = "It's a Secret to Everybody";
process.env.GITHUB_WEBHOOK_SECRET = SECRET;
const { checkMain, checkPush, github } = await import("./workflows.js");

const payload = (name: string) => readFileSync(new URL(`./payloads/${name}.json`, import.meta.url));

/** GitHub's signature: `sha256=` and the hex HMAC-SHA256 of the raw body under the webhook's secret. */
const sign = (body: Buffer, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

async function open(t: { after(fn: () => Promise<void>): void }) {
  const { endure, close } = await openTestEndure({ workflows: [checkPush], triggers: [checkMain], webhooks: [github] });
  const server = await startServer({ endure, port: 0 });
  t.after(async () => {
    await server.close();
    await close();
  });
  const deliver = (event: string, body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/webhooks/github`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": randomUUID(), "X-Hub-Signature-256": sign(body), ...headers },
      body,
    });
  return { endure, deliver };
}

describe("github-push example", () => {
  it("a signed push to main starts one check of the pushed commit; a push to a branch and a ping start none", async (t) => {
    const { endure, deliver } = await open(t);

    const ping = await deliver("ping", payload("ping"));
    assert.equal(ping.status, 202);
    const branch = await deliver("push", payload("push-feature"));
    assert.equal(branch.status, 202);
    const main = await deliver("push", payload("push-main"));
    assert.equal(main.status, 202);
    const { seq, type } = (await main.json()) as { seq: number; type: string };
    assert.equal(type, "github.push");

    const run = endure.handle(`trigger:check-main:${seq}`);
    await waitUntil(() => endure.get(run.id).then(() => true, () => false), "the trigger to start the check");
    assert.deepEqual(await run.result(), { repo: "acme/shop", sha: "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", state: "success" });
    const shown = await endure.events.get(seq);
    assert.deepEqual(shown?.runs.map((started) => started.id), [run.id]);
    assert.equal(shown?.headers["x-github-event"], "push");
    assert.deepEqual((await endure.list({ tags: ["trigger:check-main"] })).runs.map((started) => started.id), [run.id]);
    assert.deepEqual((await endure.events.list({})).events.map((event) => event.type), ["github.push", "github.push", "github.ping"]);
  });

  it("a redelivery records nothing new and starts nothing more; a bad signature is refused with 401", async (t) => {
    const { endure, deliver } = await open(t);
    const body = payload("push-main");
    const delivery = randomUUID();

    const first = await deliver("push", body, { "X-GitHub-Delivery": delivery });
    assert.equal(first.status, 202);
    const { seq } = (await first.json()) as { seq: number };
    const again = await deliver("push", body, { "X-GitHub-Delivery": delivery });
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { seq, type: "github.push", duplicate: true });

    const forged = await deliver("push", body, { "X-Hub-Signature-256": sign(body, "not the secret") });
    assert.equal(forged.status, 401);
    await waitUntil(async () => (await endure.list({})).runs.length === 1, "the trigger to start the check");
    assert.equal((await endure.events.list({})).events.length, 1);
    assert.equal((await endure.list({})).runs.length, 1);
  });
});
