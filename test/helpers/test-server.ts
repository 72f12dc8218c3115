import type { Endure, ServerOptions, WorkerOptions } from "../../src/index.js";
import { startServer } from "../../src/index.js";
import { openTestEndure } from "./test-endure.js";

/** An answer of the API: its status, headers and body (parsed when it is JSON). */
export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- each test reads the fields it checks
}

export interface TestServer {
  endure: Endure;
  url: string;
  /** A request with a JSON body (`body` a string is sent as it is, e.g. malformed JSON). */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  get(path: string, headers?: Record<string, string>): Promise<ApiResponse>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  close(): Promise<void>;
}

/** The HTTP API on 127.0.0.1 (a free port), over an Endure client on a fresh test store, with a worker when workflows are given. */
export async function openTestServer(worker?: WorkerOptions, options: Omit<ServerOptions, "endure"> = {}): Promise<TestServer> {
  const { endure, close } = await openTestEndure(worker);
  const server = await startServer({ endure, port: 0, ...options });
  const request = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      init.headers = { "Content-Type": "application/json", ...headers };
    }
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    const json = response.headers.get("Content-Type")?.startsWith("application/json") && text.length > 0;
    return { status: response.status, headers: response.headers, body: json ? JSON.parse(text) : text };
  };
  return {
    endure,
    url: server.url,
    request,
    get: (path, headers) => request("GET", path, undefined, headers),
    post: (path, body, headers) => request("POST", path, body, headers),
    close: async () => {
      await server.close();
      await close();
    },
  };
}

/** The path of a run: its id percent-encoded, as clients must send it. */
export function runPath(id: string, action = ""): string {
  return `/api/runs/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;
}
