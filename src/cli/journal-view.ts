import type { JournalEntryInfo } from "../index.js";
import { brief, briefError, color, duration, status, table, time } from "./output.js";

/** How an entry reads: `step "withdraw"`, `sleep`, `event "approval"`, `child "charge-order"`, `uuid()`. */
export function callName(entry: JournalEntryInfo): string {
  switch (entry.kind) {
    case "step":
    case "event":
    case "child":
    case "publish":
    case "patch":
    case "subscribe":
      return `${entry.kind} "${entry.name}"`;
    case "sleep":
      return "sleep";
    default:
      return `${entry.kind}()`;
  }
}

function took(entry: JournalEntryInfo): string {
  return entry.startedAt && entry.finishedAt ? duration(entry.finishedAt.getTime() - entry.startedAt.getTime()) : "";
}

/** What came of the entry, in short: its output, its error, or when it wakes. */
function outcome(entry: JournalEntryInfo): string {
  if (entry.status === "failed" || entry.status === "retrying") {
    const retry = entry.status === "retrying" && entry.wakeAt ? `, retries at ${time(entry.wakeAt)}` : "";
    return color.red(briefError(entry.error)) + retry;
  }
  if (entry.status === "waiting") return entry.wakeAt ? `wakes at ${time(entry.wakeAt)}` : "until it arrives";
  return "output" in entry ? brief(entry.output) : "";
}

const MARKS: Record<JournalEntryInfo["status"], string> = { completed: color.green("✓"), failed: color.red("✗"), retrying: color.yellow("↻"), waiting: color.blue("…") };

/** One line per entry for `start --wait`'s live progress. */
export function progressLine(entry: JournalEntryInfo): string {
  const attempt = entry.attempts > 1 ? `  attempt ${entry.attempts}` : "";
  const parts = [`${MARKS[entry.status]} ${callName(entry)}${attempt}`, took(entry), outcome(entry)].filter((part) => part !== "");
  return parts.join("  ");
}

/** The journal as a table, one row per entry, in position order. */
export function timeline(journal: readonly JournalEntryInfo[]): string {
  const rows = journal.map((entry) => [
    String(entry.position),
    entry.kind,
    entry.kind === "sleep" || ["now", "uuid", "random"].includes(entry.kind) ? "" : entry.name,
    status(entry.status),
    entry.attempts > 0 ? String(entry.attempts) : "",
    time(entry.startedAt),
    took(entry),
    outcome(entry),
  ]);
  return table(["#", "KIND", "NAME", "STATUS", "ATTEMPTS", "STARTED", "TOOK", "OUTPUT / ERROR"], rows);
}
