import assert from "node:assert/strict";
import { test } from "node:test";
import { NonDeterminismError, NonRetryableError } from "../api/errors.js";
import { Serializer } from "./serializer.js";

const serializer = new Serializer(1024 * 1024);
const roundTrip = (value: unknown) => serializer.deserialize(serializer.serialize(value, "the value"));

test("plain data and the types JSON loses round-trip", () => {
  const value = {
    text: "é ✓", n: -0, nan: Number.NaN, inf: Infinity, nothing: null, missing: undefined,
    at: new Date(1_700_000_000_000), map: new Map<unknown, unknown>([[1, { a: [1n] }]]), set: new Set(["x"]),
    big: -(2n ** 80n), pattern: /a+b/gi, bytes: new Uint8Array([1, 2, 3]),
  };
  assert.deepEqual(roundTrip(value), value);
  assert.equal(roundTrip(undefined), undefined);
  const shared = { id: 1 };
  const back = roundTrip([shared, shared]) as [object, object];
  assert.equal(back[0], back[1], "repeated references stay shared");
});

test("errors keep class, message, stack, code, cause and own properties", () => {
  const cause = new TypeError("root cause");
  const error = Object.assign(new NonRetryableError("declined", { cause }), { httpStatus: 402 });
  const back = roundTrip(error) as NonRetryableError & { httpStatus: number };
  assert.ok(back instanceof NonRetryableError);
  assert.equal(back.message, "declined");
  assert.equal(back.code, "NON_RETRYABLE");
  assert.equal(back.stack, error.stack);
  assert.equal(back.httpStatus, 402);
  assert.ok(back.cause instanceof TypeError);
  assert.equal((back.cause as Error).message, "root cause");

  const custom = new (class PaymentError extends Error { override name = "PaymentError"; })("custom class");
  const plain = roundTrip(custom) as Error;
  assert.ok(plain instanceof Error);
  assert.equal(plain.name, "PaymentError");

  const divergence = new NonDeterminismError({ runId: "r", position: 3, expected: 'step "a"', actual: 'step "b"' });
  const restored = roundTrip(divergence) as NonDeterminismError;
  assert.ok(restored instanceof NonDeterminismError);
  assert.equal(restored.position, 3);
});

test("values that would not survive a replay are refused with the path and the type", () => {
  class Money { constructor(readonly cents: number) {} }
  assert.throws(() => serializer.serialize({ amount: new Money(5) }, 'The result of step "pay"'), {
    code: "UNSERIALIZABLE",
    message: 'The result of step "pay" cannot be journaled: it contains an instance of class Money at .amount. Use plain data (objects, arrays, strings, numbers, Date, Map, Set, BigInt, Error).',
  });
  assert.throws(() => serializer.serialize([Symbol("s")], "x"), /contains a symbol at \[0\]/);
  assert.throws(() => serializer.serialize(Promise.resolve(1), "x"), /contains a Promise/);
});

test("a value over the limit is refused with its size", () => {
  const small = new Serializer(100);
  assert.throws(() => small.serialize("é".repeat(60), 'The payload of event "e"'), {
    code: "PAYLOAD_TOO_LARGE",
    message: /^The payload of event "e" is 124 bytes once serialized, over the payload limit of 100 bytes/,
  });
  assert.doesNotThrow(() => small.serialize("a".repeat(90), "x"));
});
