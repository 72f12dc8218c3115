import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { request } from "node:http";
import { AddressInUseError, InvalidArgumentError, sleep, startServer, TokenRequiredError, workflow } from "../../src/index.js";
import { openTestEndure } from "../helpers/test-endure.js";
import { openTestServer, runPath } from "../helpers/test-server.js";
import { waitUntil } from "../helpers/wait-until.js";

const echo = workflow("echo", async (value: unknown) => value);
const nap = workflow("nap", async () => await sleep("1h"));
const TOKEN = "s3cret-token";

/** A GET with a Host header of our choosing (fetch always sends the URL's). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: { error: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { headers: { Host: host } }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { error: { code: string; message: string } } }));
    });
    sent.on("error", reject);
    sent.end();
  });
}
const auth = { Authorization: `Bearer ${TOKEN}` };

describe("HTTP API security", () => {
  test("with a token, every route rejects requests without it, and nothing is stored", async (t) => {
    const server = await openTestServer({ workflows: [echo] }, { token: TOKEN });
    t.after(server.close);

    for (const [method, path] of [["GET", "/health"], ["GET", "/metrics"], ["GET", "/api/openapi.json"], ["GET", "/api/runs"], ["GET", "/api/nowhere"]]) {
      const response = await server.request(method!, path!);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.equal(response.body.error.code, "UNAUTHORIZED");
      assert.match(response.body.error.message, /no Authorization header.*"Authorization: Bearer <token>"/);
      assert.equal(response.headers.get("WWW-Authenticate"), 'Bearer realm="endure"');
    }
    const wrong = await server.post("/api/runs", { workflow: "echo", id: "sneaky" }, { Authorization: "Bearer not-the-token" });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body.error.message, /The API token is wrong/);
    const basic = await server.post("/api/runs", { workflow: "echo", id: "sneaky" }, { Authorization: `Basic ${TOKEN}` });
    assert.equal(basic.status, 401);
    assert.match(basic.body.error.message, /not of the form "Bearer <token>"/);
    const prefix = await server.post("/api/runs", { workflow: "echo", id: "sneaky" }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` });
    assert.equal(prefix.status, 401);

    assert.deepEqual((await server.get("/api/runs", auth)).body.runs, []);
    assert.equal((await server.post("/api/runs", { workflow: "echo", id: "allowed" }, auth)).status, 201);
    assert.deepEqual((await server.get("/api/runs", auth)).body.runs.map((run: { id: string }) => run.id), ["allowed"]);
    assert.equal((await server.get("/health", auth)).status, 200);
  });

  test("refuses to listen beyond loopback without a token, and listens with one", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);

    for (const host of ["0.0.0.0", "::", "192.0.2.10", "example.com"]) {
      await assert.rejects(startServer({ endure, host, port: 0 }), (error: unknown) => {
        assert.ok(error instanceof TokenRequiredError);
        assert.equal(error.code, "TOKEN_REQUIRED");
        assert.match(error.message, new RegExp(`"${host.replace(/\./g, "\\.")}" without an API token.*Pass a token.*or bind to 127\\.0\\.0\\.1`));
        return true;
      });
    }
    const server = await startServer({ endure, host: "0.0.0.0", port: 0, token: TOKEN });
    try {
      const port = new URL(server.url).port;
      const response = await fetch(`http://127.0.0.1:${port}/health`, { headers: auth });
      assert.equal(response.status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 401);
    } finally {
      await server.close();
    }
  });

  test("loopback addresses need no token", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    for (const host of ["127.0.0.1", "localhost", "127.0.0.2"]) {
      const server = await startServer({ endure, host, port: 0 });
      try {
        assert.equal((await fetch(`${server.url}/health`)).status, 200, host);
      } finally {
        await server.close();
      }
    }
  });

  test("bad options are refused at start: a token that cannot be sent in a header, a bad port, a port in use", async (t) => {
    const { endure, close } = await openTestEndure();
    t.after(close);
    for (const token of ["", "two words"]) {
      await assert.rejects(startServer({ endure, port: 0, token }), InvalidArgumentError);
    }
    await assert.rejects(startServer({ endure, port: 70000 }), /port must be a whole number from 0 to 65535/);
    await assert.rejects(startServer({ endure, port: 0, bodyLimit: 0 }), /bodyLimit must be a whole number of bytes/);

    const first = await startServer({ endure, port: 0 });
    t.after(first.close);
    const port = Number(new URL(first.url).port);
    await assert.rejects(startServer({ endure, port }), (error: unknown) => {
      assert.ok(error instanceof AddressInUseError);
      assert.equal(error.code, "ADDRESS_IN_USE");
      assert.match(error.message, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*pass another port`));
      return true;
    });
  });

  test("no CORS headers unless configured; a configured origin gets them, preflight included", async (t) => {
    const origin = "https://ops.example.com";
    const plain = await openTestServer();
    t.after(plain.close);
    const ownPage = await plain.get("/api/runs", { Origin: plain.url });
    assert.equal(ownPage.status, 200);
    assert.equal(ownPage.headers.get("Access-Control-Allow-Origin"), null);
    const unconfigured = await plain.get("/api/runs", { Origin: origin });
    assert.equal(unconfigured.status, 403);
    assert.equal(unconfigured.headers.get("Access-Control-Allow-Origin"), null);

    const tokenless = await openTestServer(undefined, { cors: [origin] });
    t.after(tokenless.close);
    const configured = await tokenless.get("/api/runs", { Origin: origin });
    assert.equal(configured.status, 200);
    assert.equal(configured.headers.get("Access-Control-Allow-Origin"), origin);

    const server = await openTestServer(undefined, { cors: [origin], token: TOKEN });
    t.after(server.close);
    const allowed = await server.get("/api/runs", { Origin: origin, ...auth });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("Access-Control-Allow-Origin"), origin);
    const other = await server.get("/api/runs", { Origin: "https://evil.example", ...auth });
    assert.equal(other.headers.get("Access-Control-Allow-Origin"), null);

    // A browser's preflight carries no token: it is answered without one.
    const preflight = await server.request("OPTIONS", "/api/runs", undefined, {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization, content-type",
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), origin);
    assert.match(preflight.headers.get("Access-Control-Allow-Methods") ?? "", /POST/);
    assert.match(preflight.headers.get("Access-Control-Allow-Headers") ?? "", /authorization/);
    // An error answer still carries the header, so the browser shows the page its message.
    const unauthorized = await server.get("/api/runs", { Origin: origin });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get("Access-Control-Allow-Origin"), origin);
  });

  test("without a token, requests addressed to another name or sent by another site's page are refused", async (t) => {
    const server = await openTestServer({ workflows: [nap] });
    t.after(server.close);
    await server.post("/api/runs", { workflow: "nap", id: "napping" });
    await waitUntil(async () => (await server.get(runPath("napping"))).body.status === "waiting", "the run to sleep");

    // DNS rebinding: a page of evil.example whose name now points at 127.0.0.1.
    const rebound = await getWithHost(`${server.url}/api/runs`, `evil.example:${new URL(server.url).port}`);
    assert.equal(rebound.status, 403);
    assert.equal(rebound.body.error.code, "FORBIDDEN");
    assert.match(rebound.body.error.message, /addressed to "evil\.example:\d+".*start the server with a token/);
    assert.equal((await getWithHost(`${server.url}/health`, `localhost:${new URL(server.url).port}`)).status, 200);

    // A page of another site posting a cancel (a body-less POST needs no preflight).
    for (const origin of ["https://evil.example", "null"]) {
      const forged = await server.post(runPath("napping", "cancel"), undefined, { Origin: origin });
      assert.equal(forged.status, 403, origin);
      assert.match(forged.body.error.message, new RegExp(`comes from "${origin}".*cors option`));
    }
    const run = (await server.get(runPath("napping"))).body;
    assert.deepEqual([run.status, run.cancelRequested], ["waiting", false]);

    const fromLoopbackPage = await server.post(runPath("napping", "cancel"), undefined, { Origin: `http://localhost:${new URL(server.url).port}` });
    assert.equal(fromLoopbackPage.status, 200);
  });
});
