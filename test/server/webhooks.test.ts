// Webhooks over real HTTP: a started server on loopback, requests signed as GitHub signs them.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { type Endure, startServer, webhook, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";

const SECRET = "It's a Secret to Everybody";
const TOKEN = "s3cret-token";
/** A real push payload's shape (https://docs.github.com/webhooks/webhook-events-and-payloads#push), bytes as GitHub sends them. */
const PUSH = readFileSync(new URL("./fixtures/github-push.json", import.meta.url));

const github = webhook("github", {
  typeHeader: "X-GitHub-Event",
  signature: { secret: SECRET },
  deliveryHeader: "X-GitHub-Delivery",
  headers: ["User-Agent"],
});
const inbox = webhook("inbox", { type: "mail.received" });
const idle = workflow("idle", async () => null);

/** GitHub's signature: `sha256=` and the hex HMAC-SHA256 of the body with the secret. */
function sign(body: Uint8Array | string, secret = SECRET): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

function githubHeaders(body: Uint8Array | string, delivery = randomUUID()): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "User-Agent": "GitHub-Hookshot/044aadd",
    "X-GitHub-Event": "push",
    "X-GitHub-Delivery": delivery,
    "X-GitHub-Hook-ID": "292430182",
    "X-Hub-Signature-256": sign(body),
  };
}

interface Answer {
  status: number;
  body: { seq: number; type: string; duplicate: boolean; error: { code: string; message: string } };
}

async function serve(t: { after(fn: () => unknown): void }, options: { token?: string; bodyLimit?: number } = {}) {
  // The worker registers the webhooks, where the server reads them.
  const { endure, close } = await openTestEndure({ workflows: [idle], webhooks: [github, inbox] });
  const server = await startServer({ endure, port: 0, ...options });
  t.after(async () => {
    await server.close();
    await close();
  });
  const post = async (path: string, body: RequestInit["body"], headers: Record<string, string>): Promise<Answer> => {
    // duplex: a stream body (sent chunked) needs it.
    const response = await fetch(`${server.url}${path}`, { method: "POST", body, headers, duplex: "half" } as RequestInit);
    return { status: response.status, body: (await response.json()) as Answer["body"] };
  };
  return { endure, post };
}

async function recorded(endure: Endure) {
  return (await endure.events.list()).events;
}

describe("POST /webhooks/<name>", () => {
  test("a signed GitHub push is recorded as github.push, with its payload and the kept headers", async (t) => {
    const { endure, post } = await serve(t);
    const headers = githubHeaders(PUSH, "72d3162e-cc78-11e3-81ab-4c9367dc0958");

    const answer = await post("/webhooks/github", PUSH, headers);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.deepEqual(answer.body, { seq: answer.body.seq, type: "github.push", duplicate: false });

    const event = await endure.events.get(answer.body.seq);
    assert.ok(event);
    assert.equal(event.type, "github.push");
    assert.equal(event.source, "webhook:github");
    assert.equal(event.key, "webhook:github:72d3162e-cc78-11e3-81ab-4c9367dc0958");
    assert.deepEqual(event.payload, JSON.parse(PUSH.toString("utf8")));
    assert.equal((event.payload as { head_commit: { message: string } }).head_commit.message, "Checkout: retry the payment step on a 503 — “résumé” for the log");
    // Content-Type, the type and delivery headers and the configured ones; not the signature, not the rest.
    assert.deepEqual(event.headers, {
      "content-type": "application/json",
      "x-github-event": "push",
      "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "user-agent": "GitHub-Hookshot/044aadd",
    });
  });

  test("a redelivery with the same X-GitHub-Delivery answers 200 duplicate and records nothing new", async (t) => {
    const { endure, post } = await serve(t);
    const headers = githubHeaders(PUSH);
    const first = await post("/webhooks/github", PUSH, headers);
    const again = await post("/webhooks/github", PUSH, headers);
    assert.equal(first.status, 202);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { seq: first.body.seq, type: "github.push", duplicate: true });
    const other = await post("/webhooks/github", PUSH, githubHeaders(PUSH));
    assert.equal(other.status, 202);
    assert.deepEqual((await recorded(endure)).map((event) => event.seq), [other.body.seq, first.body.seq]);
  });

  test("an invalid signature is answered 401 and records nothing", async (t) => {
    const { endure, post } = await serve(t);
    const wrongSecret = { ...githubHeaders(PUSH), "X-Hub-Signature-256": sign(PUSH, "not the secret") };
    const answer = await post("/webhooks/github", PUSH, wrongSecret);
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, "INVALID_SIGNATURE");
    assert.match(answer.body.error.message, /The x-hub-signature-256 header does not match the body .*sha256=<hex HMAC-SHA256 of the body>.*nothing was recorded/);

    // The body changed after signing: one byte.
    const tampered = Buffer.from(PUSH);
    tampered[tampered.indexOf("main")] = "M".charCodeAt(0);
    assert.equal((await post("/webhooks/github", tampered, githubHeaders(PUSH))).status, 401);
    // Shorter and garbage signatures, and another prefix.
    for (const signature of ["sha256=abc", "garbage", sign(PUSH).replace("sha256=", "sha1=")]) {
      assert.equal((await post("/webhooks/github", PUSH, { ...githubHeaders(PUSH), "X-Hub-Signature-256": signature })).status, 401, signature);
    }
    assert.deepEqual(await recorded(endure), []);
  });

  test("a missing signature is answered 401, naming the header, and records nothing", async (t) => {
    const { endure, post } = await serve(t);
    const { "X-Hub-Signature-256": _, ...unsigned } = githubHeaders(PUSH);
    const answer = await post("/webhooks/github", PUSH, unsigned);
    assert.equal(answer.status, 401);
    assert.equal(answer.body.error.code, "INVALID_SIGNATURE");
    assert.match(answer.body.error.message, /^The request has no x-hub-signature-256 header\. Webhook "github" takes only requests signed with its secret/);
    assert.deepEqual(await recorded(endure), []);
  });

  test("a body over the server's limit is answered 413 with the limit, and records nothing", async (t) => {
    const { endure, post } = await serve(t, { bodyLimit: 2048 });
    const big = JSON.stringify({ ...JSON.parse(PUSH.toString("utf8")), padding: "x".repeat(4096) });
    const answer = await post("/webhooks/github", big, githubHeaders(big));
    assert.equal(answer.status, 413);
    assert.equal(answer.body.error.code, "BODY_TOO_LARGE");
    assert.match(answer.body.error.message, /over this server's limit of 2048 bytes.*raise the server's bodyLimit/);
    // Sent in chunks, without a Content-Length: cut off once past the limit.
    const chunked = await post("/webhooks/github", Readable.toWeb(Readable.from([big.slice(0, 1500), big.slice(1500)])) as ReadableStream, githubHeaders(big));
    assert.equal(chunked.status, 413);
    assert.deepEqual(await recorded(endure), []);
  });

  test("malformed JSON is answered 400 naming the parse error, and records nothing", async (t) => {
    const { endure, post } = await serve(t);
    const broken = '{"ref": "refs/heads/main",';
    const answer = await post("/webhooks/github", broken, githubHeaders(broken));
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.code, "INVALID_WEBHOOK_REQUEST");
    assert.match(answer.body.error.message, /^Webhook "github": the body is declared as application\/json but is not valid JSON \(.+\)\..*Nothing was recorded\.$/);
    assert.deepEqual(await recorded(endure), []);
  });

  test("a request without the type header is answered 400 and records nothing", async (t) => {
    const { endure, post } = await serve(t);
    const { "X-GitHub-Event": _, ...headers } = githubHeaders(PUSH);
    const answer = await post("/webhooks/github", PUSH, headers);
    assert.equal(answer.status, 400);
    assert.match(answer.body.error.message, /no x-github-event header, which names the event type \(recorded as "github\.<its value>"\)/);
    assert.deepEqual(await recorded(endure), []);
  });

  test("an unknown webhook is answered 404 listing the known ones", async (t) => {
    const { endure, post } = await serve(t);
    const answer = await post("/webhooks/gitlab", PUSH, githubHeaders(PUSH));
    assert.equal(answer.status, 404);
    assert.equal(answer.body.error.code, "WEBHOOK_NOT_FOUND");
    assert.match(answer.body.error.message, /No webhook named "gitlab" is registered \(known: "github", "inbox"\).*Workers register the webhooks their workflow file exports/);
    assert.deepEqual(await recorded(endure), []);
  });

  test("a form body becomes an object of its fields, a text body a string, an empty body null", async (t) => {
    const { endure, post } = await serve(t);
    const form = new URLSearchParams([["payload", '{"action":"opened"}'], ["to", "a@example.com"], ["to", "b@example.com"]]);
    const formAnswer = await post("/webhooks/inbox", form.toString(), { "Content-Type": "application/x-www-form-urlencoded" });
    const textAnswer = await post("/webhooks/inbox", "Hello,\nthe report is attached. — Dana", { "Content-Type": "text/plain; charset=utf-8" });
    const emptyAnswer = await post("/webhooks/inbox", undefined, {});
    assert.deepEqual([formAnswer.status, textAnswer.status, emptyAnswer.status], [202, 202, 202]);
    assert.equal(formAnswer.body.type, "mail.received");

    const formEvent = await endure.events.get(formAnswer.body.seq);
    assert.deepEqual(Object.entries(formEvent!.payload as object), [["payload", '{"action":"opened"}'], ["to", ["a@example.com", "b@example.com"]]]);
    assert.deepEqual(formEvent!.headers, { "content-type": "application/x-www-form-urlencoded" });
    assert.equal((await endure.events.get(textAnswer.body.seq))!.payload, "Hello,\nthe report is attached. — Dana");
    assert.equal((await endure.events.get(emptyAnswer.body.seq))!.payload, null);
    // Sent in chunks, without a Content-Length, the body is read whole.
    const chunked = await post("/webhooks/inbox", Readable.toWeb(Readable.from(["first part, ", "second part"])) as ReadableStream, { "Content-Type": "text/plain" });
    assert.equal((await endure.events.get(chunked.body.seq))!.payload, "first part, second part");
    // No delivery header configured: each request is its own event.
    assert.equal((await post("/webhooks/inbox", "again", { "Content-Type": "text/plain" })).body.duplicate, false);
  });

  test("with an API token, a signed webhook needs no token, an unsigned one does, and an unknown name tells nothing without it", async (t) => {
    const { endure, post } = await serve(t, { token: TOKEN });
    const signed = await post("/webhooks/github", PUSH, githubHeaders(PUSH));
    assert.equal(signed.status, 202);
    // A token does not stand in for the signature.
    const { "X-Hub-Signature-256": _, ...unsigned } = githubHeaders(PUSH);
    assert.equal((await post("/webhooks/github", PUSH, { ...unsigned, Authorization: `Bearer ${TOKEN}` })).status, 401);

    const noToken = await post("/webhooks/inbox", "hi", { "Content-Type": "text/plain" });
    assert.equal(noToken.status, 401);
    assert.equal(noToken.body.error.code, "UNAUTHORIZED");
    const withToken = await post("/webhooks/inbox", "hi", { "Content-Type": "text/plain", Authorization: `Bearer ${TOKEN}` });
    assert.equal(withToken.status, 202);

    const unknown = await post("/webhooks/gitlab", "hi", {});
    assert.equal(unknown.status, 401);
    assert.doesNotMatch(unknown.body.error.message, /github/);
    assert.deepEqual((await recorded(endure)).map((event) => event.seq), [withToken.body.seq, signed.body.seq]);
  });
});
