import assert from "node:assert/strict";
import { test } from "node:test";
import { toMilliseconds } from "./duration.js";

test("durations accept milliseconds and human strings", () => {
  assert.equal(toMilliseconds(250, "d"), 250);
  assert.equal(toMilliseconds("90s", "d"), 90_000);
  assert.equal(toMilliseconds("3 days", "d"), 3 * 24 * 3600 * 1000);
  assert.equal(toMilliseconds("1.5h", "d"), 5_400_000);
});

test("invalid durations name the argument and the value", () => {
  for (const bad of ["soon", "", -1, Number.NaN, Infinity, "-5s"]) {
    assert.throws(() => toMilliseconds(bad, "sleep()'s duration"), (error: Error & { code?: string }) => {
      assert.equal(error.code, "INVALID_ARGUMENT");
      assert.match(error.message, /^sleep\(\)'s duration must be a non-negative number/);
      return true;
    });
  }
});
