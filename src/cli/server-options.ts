import { type Command, Option } from "commander";
import { type Endure, type Logger, type MetricsSource, startServer } from "../index.js";
import { wholeNumber } from "./option-values.js";

/** The options of a command that serves the HTTP API. */
export interface ListenOptions {
  host: string;
  /** Undefined for `endure worker` without `--port`: no HTTP API. */
  port?: number;
  token?: string;
  cors?: string[];
}

/** Adds `--host`, `--port` (without a default: the API only with `--port`), `--token` (or ENDURE_API_TOKEN) and `--cors`. */
export function listenOptions(command: Command, defaults: { port?: number }): Command {
  const port = defaults.port === undefined ? "also serve the HTTP API on this port (0: any free port)" : "the port to listen on (0: any free port)";
  return command
    .option("--host <host>", "the address to listen on; any other than loopback needs --token", "127.0.0.1")
    .option("--port <port>", port, wholeNumber(0, 65_535), defaults.port)
    .addOption(new Option("--token <token>", "a bearer token every request must send").env("ENDURE_API_TOKEN"))
    .option("--cors <origin...>", "origins that browsers may call the API from");
}

/**
 * Serves the HTTP API over `endure` as the options say, with `metrics` at GET /metrics. Its URL is
 * for the command to print, in its own words, so the server's own "listening" line is not logged.
 */
export function serveApi(
  endure: Endure,
  options: ListenOptions,
  { logger, metrics }: { logger: Logger; metrics: MetricsSource },
): Promise<{ url: string; close(): Promise<void> }> {
  const { host, port, token, cors } = options;
  return startServer({ endure, host, port, token, cors, metrics, logger: { ...logger, info: () => {} } });
}
