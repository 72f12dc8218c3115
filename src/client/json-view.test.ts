import { test } from "node:test";
import assert from "node:assert/strict";
import { toJsonValue } from "./json-view.js";
import { RunNotFoundError } from "../api/errors.js";

test("toJsonValue turns journal values into plain JSON", () => {
  const error = new RunNotFoundError("r-1");
  const value = {
    at: new Date("2026-01-02T03:04:05.000Z"),
    big: 12345678901234567890n,
    nan: Number.NaN,
    missing: undefined,
    tags: new Set(["a", "b"]),
    byName: new Map([["x", 1]]),
    byNumber: new Map([[1, "one"]]),
    error: Object.assign(new Error("outer", { cause: error }), { attempt: 3 }),
  };
  assert.deepEqual(JSON.parse(JSON.stringify(toJsonValue(value))), {
    at: "2026-01-02T03:04:05.000Z",
    big: "12345678901234567890",
    nan: "NaN",
    missing: null,
    tags: ["a", "b"],
    byName: { x: 1 },
    byNumber: [[1, "one"]],
    error: {
      name: "Error",
      message: "outer",
      attempt: 3,
      cause: { name: "RunNotFoundError", message: error.message, code: "RUN_NOT_FOUND", runId: "r-1" },
    },
  });
});

test("toJsonValue marks a cycle instead of recursing forever", () => {
  const node: Record<string, unknown> = { name: "a" };
  node.self = node;
  assert.deepEqual(toJsonValue({ list: [node, node] }), { list: [{ name: "a", self: "[circular]" }, { name: "a", self: "[circular]" }] });
});
