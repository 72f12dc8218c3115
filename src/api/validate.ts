import { InvalidArgumentError } from "./errors.js";

const MAX_ID_LENGTH = 255;
// Ids travel in URLs, logs and terminals: printable characters only.
const PRINTABLE = /^[^\p{Cc}\p{Cs}]+$/u;

/** @returns the id, once checked to be 1 to 255 printable characters. */
export function validateRunId(id: unknown, where: string): string {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_ID_LENGTH || !PRINTABLE.test(id)) {
    const shown = typeof id === "string" ? `${JSON.stringify(id.slice(0, 40))}${id.length > 40 ? `... (${id.length} characters)` : ""}` : typeof id;
    throw new InvalidArgumentError(`${where}: a run id must be 1 to ${MAX_ID_LENGTH} printable characters; got ${shown}.`);
  }
  return id;
}

/** Event names Endure sends itself (a child run's end: `endure:child:<position>`). */
export const RESERVED_EVENT_PREFIX = "endure:";

export function validateEventName(name: unknown, where: string): string {
  if (typeof name !== "string" || name.length === 0 || name.length > 200) {
    throw new InvalidArgumentError(`${where}: an event name must be a string of 1 to 200 characters; got ${JSON.stringify(name) ?? typeof name}.`);
  }
  if (name.startsWith(RESERVED_EVENT_PREFIX)) {
    throw new InvalidArgumentError(`${where}: event names starting with "${RESERVED_EVENT_PREFIX}" are Endure's own (a child run's end); got ${JSON.stringify(name)}. Choose another name.`);
  }
  return name;
}

const EVENT_TYPE = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,199}$/;

/** @returns the type of an event of the event log (e.g. `github.push`), once checked. */
export function validateEventType(type: unknown, where: string): string {
  if (typeof type !== "string" || !EVENT_TYPE.test(type)) {
    throw new InvalidArgumentError(
      `${where}: an event type must be 1 to 200 letters, digits or _ . : - / starting with a letter or digit (e.g. "github.push"); got ${JSON.stringify(type) ?? typeof type}.`,
    );
  }
  if (type.startsWith(RESERVED_EVENT_PREFIX)) {
    throw new InvalidArgumentError(`${where}: event types starting with "${RESERVED_EVENT_PREFIX}" are Endure's own; got ${JSON.stringify(type)}. Choose another type.`);
  }
  return type;
}

const MAX_VERSION_LENGTH = 200;

/** @returns the version of workers' code (a build id, a git sha), once checked to be 1 to 200 printable characters. */
export function validateVersion(version: unknown, where: string): string {
  if (typeof version !== "string" || version.length === 0 || version.length > MAX_VERSION_LENGTH || !PRINTABLE.test(version)) {
    const shown = typeof version === "string" ? JSON.stringify(version.slice(0, 40)) + (version.length > 40 ? `... (${version.length} characters)` : "") : typeof version;
    throw new InvalidArgumentError(
      `${where} must be a version of your code (a build id or a git sha, e.g. "2026-11-26.1"): 1 to ${MAX_VERSION_LENGTH} printable characters; got ${shown}.`,
    );
  }
  return version;
}
