import { EndureError } from "../index.js";

/**
 * The exit codes of `endure`, stable for scripts. Listed in `endure --help` and docs/cli.md.
 */
export const EXIT = {
  /** Done; for `start --wait`, the run completed. */
  ok: 0,
  /** The run failed, was cancelled or is blocked (`start --wait`), or the request was refused or failed. */
  failed: 1,
  /** Bad usage or input: an unknown command or option, invalid JSON, an unknown workflow, a bad workflow file, a port in use. */
  usage: 2,
  /** No run (or schedule) has that id; no event has that number. */
  notFound: 3,
  /** The store cannot be reached or refused the connection. */
  storeUnavailable: 4,
  /** `endure replay`: a recorded run does not match the code (or could not be replayed). */
  diverged: 5,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done (start --wait: the run completed)
  1  the run failed, was cancelled or is blocked (start --wait), or the request failed
  2  usage or input error (unknown command or option, invalid JSON, unknown workflow, bad workflow file,
     a port in use, a public --host without --token, an unknown trigger)
  3  not found (no run with that id, no event with that number)
  4  store unavailable (cannot reach or open the store)
  5  endure replay: a recorded run no longer matches the code`;

const USAGE_CODES = new Set([
  "INVALID_JSON",
  "INVALID_ARGUMENT",
  "UNKNOWN_WORKFLOW",
  "UNKNOWN_QUEUE",
  "INVALID_EVENT_PAYLOAD",
  "UNSERIALIZABLE",
  "PAYLOAD_TOO_LARGE",
  "WORKFLOW_FILE_NOT_FOUND",
  "WORKFLOW_FILE_INVALID",
  "NO_WORKFLOWS",
  "INVALID_RUN_EXPORT",
  // The HTTP server's: a public address without --token, a port in use.
  "TOKEN_REQUIRED",
  "ADDRESS_IN_USE",
  // ---- event log ----
  "UNKNOWN_TRIGGER",
]);
const NOT_FOUND_CODES = new Set(["RUN_NOT_FOUND", "SCHEDULE_NOT_FOUND", "EVENT_NOT_FOUND"]);
const STORE_CODES = new Set(["STORE_UNAVAILABLE", "STORE_ACCESS_DENIED"]);

/** The exit code an error ends the command with. */
export function exitCodeOf(error: unknown): number {
  if (!(error instanceof EndureError)) return EXIT.failed;
  if (USAGE_CODES.has(error.code)) return EXIT.usage;
  if (NOT_FOUND_CODES.has(error.code)) return EXIT.notFound;
  if (STORE_CODES.has(error.code)) return EXIT.storeUnavailable;
  return EXIT.failed;
}
