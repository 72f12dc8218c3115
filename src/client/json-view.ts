/**
 * A value as plain JSON, for the HTTP API and the CLI's `--json`: what a run's journal holds can be
 * any value devalue keeps (Date, Map, Set, BigInt, Error, undefined, NaN), which `JSON.stringify`
 * would drop or reject. Dates become ISO strings, errors `{ name, code, message, ...fields, cause }`,
 * maps objects (or entry arrays when a key is not a string), sets arrays, bigints decimal strings,
 * non-finite numbers their names, and undefined null.
 */
export function toJsonValue(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  switch (typeof value) {
    case "undefined":
      return null;
    case "bigint":
      return value.toString();
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "function":
    case "symbol":
      return null;
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  try {
    if (value instanceof Error) return errorToJson(value, seen);
    if (Array.isArray(value)) return value.map((item) => toJsonValue(item, seen));
    if (value instanceof Set) return [...value].map((item) => toJsonValue(item, seen));
    if (value instanceof Map) {
      const entries = [...value.entries()];
      return entries.every(([key]) => typeof key === "string")
        ? Object.fromEntries(entries.map(([key, item]) => [key, toJsonValue(item, seen)]))
        : entries.map(([key, item]) => [toJsonValue(key, seen), toJsonValue(item, seen)]);
    }
    if (value instanceof URL || value instanceof RegExp) return String(value);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonValue(item, seen)]));
  } finally {
    seen.delete(value);
  }
}

function errorToJson(error: Error, seen: WeakSet<object>): Record<string, unknown> {
  const json: Record<string, unknown> = { name: error.name, message: error.message };
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (code !== undefined) json.code = toJsonValue(code, seen);
  for (const key of Object.keys(error)) {
    if (key !== "code" && key !== "cause" && key !== "stack") json[key] = toJsonValue((error as unknown as Record<string, unknown>)[key], seen);
  }
  if (cause !== undefined) json.cause = toJsonValue(cause, seen);
  return json;
}
