import type { Endure, Logger } from "../index.js";

/** The options of `startServer()` in src/server/server.ts that the CLI passes. */
export interface ApiOptions {
  endure: Endure;
  host?: string;
  port?: number;
  token?: string;
  cors?: string[];
  logger?: Logger;
}

export interface ApiServer {
  /** Where it listens, e.g. `http://127.0.0.1:7070`. */
  url: string;
  close(): Promise<void>;
}

// The HTTP server is built beside the CLI (src/server/); until it is merged it is loaded by a path
// the compiler does not resolve. TODO(cli): a static import of startServer once src/server is on main.
const SERVER_MODULE = "../server/server.js";

/** Serves the HTTP API over `endure` (and the dashboard once there is one). */
export async function startApi(options: ApiOptions): Promise<ApiServer> {
  const { startServer } = (await import(SERVER_MODULE)) as { startServer(options: ApiOptions): Promise<ApiServer> };
  return await startServer(options);
}
