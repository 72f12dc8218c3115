import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopback } from "./auth.js";

test("isLoopback: 127.0.0.0/8, ::1 and localhost only", () => {
  for (const host of ["127.0.0.1", "127.255.0.9", "localhost", "LOCALHOST", "::1", "[::1]", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) {
    assert.equal(isLoopback(host), true, host);
  }
  for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "::ffff:10.0.0.1", "localhost.example.com", "127.0.0.1.nip.io", ""]) {
    assert.equal(isLoopback(host), false, host);
  }
});
