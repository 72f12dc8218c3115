import { DevalueError, parse, stringify } from "devalue";
import { ERROR_CLASSES, PayloadTooLargeError, SerializationError } from "../api/errors.js";

/** How an Error crosses the journal. */
interface EncodedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  cause?: unknown;
  props?: Record<string, unknown>;
}

// Errors whose class is restored on the way back, so `instanceof` holds after a replay.
const knownErrors = new Map<string, abstract new (...args: never[]) => Error>(
  [...ERROR_CLASSES, Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError]
    .map((cls) => [cls.name, cls]),
);

const reducers = {
  Error: (value: unknown): EncodedError | undefined => (value instanceof Error ? encodeError(value) : undefined),
};

const revivers = {
  Error: (encoded: EncodedError): Error => decodeError(encoded),
};

function encodeError(error: Error): EncodedError {
  const encoded: EncodedError = { name: error.name, message: error.message };
  if (error.stack !== undefined) encoded.stack = error.stack;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === "string") encoded.code = code;
  if (cause !== undefined && isSerializable(cause)) encoded.cause = cause;
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(error)) {
    if (key === "code" || key === "cause" || key === "name") continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    if (isSerializable(value)) props[key] = value;
  }
  if (Object.keys(props).length > 0) encoded.props = props;
  return encoded;
}

function decodeError(encoded: EncodedError): Error {
  const cls = knownErrors.get(encoded.name) ?? Error;
  const error = Object.create(cls.prototype) as Error;
  Object.defineProperty(error, "message", { value: encoded.message, writable: true, configurable: true });
  Object.defineProperty(error, "stack", { value: encoded.stack, writable: true, configurable: true });
  if (error.name !== encoded.name) {
    Object.defineProperty(error, "name", { value: encoded.name, writable: true, configurable: true });
  }
  if (encoded.code !== undefined) (error as { code?: string }).code = encoded.code;
  if (encoded.cause !== undefined) {
    Object.defineProperty(error, "cause", { value: encoded.cause, writable: true, configurable: true });
  }
  Object.assign(error, encoded.props);
  return error;
}

function isSerializable(value: unknown): boolean {
  try {
    stringify(value, reducers);
    return true;
  } catch {
    return false;
  }
}

function describeType(value: unknown): string {
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (value instanceof Promise) return "a Promise";
  if (typeof value === "object" && value !== null) {
    const name = Object.getPrototypeOf(value)?.constructor?.name as string | undefined;
    return name ? `an instance of class ${name}` : "an object with a custom prototype";
  }
  return typeof value;
}

/**
 * Turns values into journal text and back. Round-trips everything JSON does plus `undefined`,
 * `Date`, `Map`, `Set`, `BigInt`, `RegExp`, typed arrays, repeated and cyclic references, and
 * `Error` (name, message, stack, code, cause and own properties). Class instances, functions and
 * promises are refused: they would come back as something else after a replay.
 */
export class Serializer {
  /** @param payloadLimit Largest serialized value, in bytes. */
  constructor(readonly payloadLimit: number) {}

  /**
   * @param what Names the value in errors, e.g. `the result of step "withdraw"`.
   * @throws SerializationError or PayloadTooLargeError
   */
  serialize(value: unknown, what: string): string {
    let text: string;
    try {
      text = value === undefined ? "-1" : stringify(value, reducers);
    } catch (error) {
      if (!(error instanceof DevalueError)) throw error;
      const at = error.path ? ` at ${error.path}` : "";
      throw new SerializationError(
        `${what} cannot be journaled: it contains ${describeType(error.value)}${at}. ` +
          `Use plain data (objects, arrays, strings, numbers, Date, Map, Set, BigInt, Error).`,
      );
    }
    // Most payloads are ASCII, where string length equals byte length: skip the exact count then.
    if (text.length * 3 > this.payloadLimit) {
      const bytes = Buffer.byteLength(text, "utf8");
      if (bytes > this.payloadLimit) throw new PayloadTooLargeError(what, bytes, this.payloadLimit);
    }
    return text;
  }

  deserialize(text: string): unknown {
    return text === "-1" ? undefined : parse(text, revivers);
  }

  /** Serializes an error, falling back to its message where its contents cannot be journaled. */
  serializeError(error: unknown): string {
    try {
      return this.serialize(error, "the error");
    } catch {
      const fallback = error instanceof Error ? error : new Error(String(error));
      return stringify(Object.assign(new Error(fallback.message), { name: fallback.name, stack: fallback.stack }), reducers);
    }
  }

  deserializeError(text: string): Error {
    const value = this.deserialize(text);
    return value instanceof Error ? value : new Error(String(value));
  }
}

/** The default payload limit: 1 MiB. */
export const DEFAULT_PAYLOAD_LIMIT = 1024 * 1024;
