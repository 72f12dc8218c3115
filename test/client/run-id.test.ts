import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newRunId } from "../../src/api/run-id.js";

describe("newRunId", () => {
  it("is a UUIDv7 whose first 48 bits are the time in ms", () => {
    const at = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
    const id = newRunId(at);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
  });

  it("sorts ids of later times after earlier ones, and never repeats", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => newRunId(1_700_000_000_000 + Math.floor(i / 100)));
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 100; i < ids.length; i += 100) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} sorts before ${ids[i]}`);
  });
});
