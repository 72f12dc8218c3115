import pc from "picocolors";
import { toJsonValue } from "../client/json-view.js";

type Colors = ReturnType<typeof pc.createColors>;

/** Colours only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function colorsFor(stream: NodeJS.WriteStream): Colors {
  return pc.createColors(stream.isTTY === true && !process.env.NO_COLOR);
}

/** Colours for what goes to stdout. */
export const color = colorsFor(process.stdout);

/** Prints a value as JSON for scripts: Dates as ISO strings, errors as objects, BigInts as strings. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(toJsonValue(value), null, 2)}\n`);
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const width = (text: string): number => text.replace(ANSI, "").length;

/** Rows under a header, each column as wide as its widest cell. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(width(header), ...rows.map((row) => width(row[column] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell + " ".repeat(widths[column]! - width(cell)))).join("  ").trimEnd();
  return [line(headers.map((header) => color.bold(header))), ...rows.map(line)].join("\n");
}

/** A value on one line, cut to `max` characters: for tables and live progress. */
export function brief(value: unknown, max = 60): string {
  const text = JSON.stringify(toJsonValue(value)) ?? "null";
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** An error on one line: `Name: message`, cut to `max` characters. */
export function briefError(error: Error | undefined, max = 80): string {
  if (!error) return "";
  const text = `${error.name}: ${error.message}`.replace(/\s+/g, " ");
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A duration as people read it: `850ms`, `2.4s`, `3m 05s`, `2h 10m`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, "0")}m`;
}

/** A time in the machine's time zone, to the second: `2026-11-26 14:03:12`. */
export function time(date: Date | null): string {
  if (!date) return "-";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const STATUS_COLORS: Record<string, (text: string) => string> = {
  completed: color.green,
  failed: color.red,
  blocked: color.red,
  cancelled: color.yellow,
  retrying: color.yellow,
  running: color.cyan,
  waiting: color.blue,
};

/** A run or journal entry status, coloured by how it is doing. */
export function status(text: string): string {
  return (STATUS_COLORS[text] ?? ((value: string) => value))(text);
}
