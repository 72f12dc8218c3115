import { EndureError, knownList } from "../api/errors.js";

// The errors of the HTTP layer. The API answers each one with its status (see error-response.ts)
// and a body `{ error: { code, message, ...fields } }`.

/** `startServer()` was asked to listen beyond this machine without a token. Nothing was started. */
export class TokenRequiredError extends EndureError {
  readonly host: string;

  constructor(host: string) {
    super(
      "TOKEN_REQUIRED",
      `Refusing to listen on "${host}" without an API token: every process that can reach it could start, read and cancel runs. ` +
        `Pass a token (startServer({ token }), which clients send as "Authorization: Bearer <token>"), or bind to 127.0.0.1 to serve this machine only.`,
    );
    this.host = host;
  }
}

/** `startServer()` found its port taken by another process. Nothing was started. */
export class AddressInUseError extends EndureError {
  readonly host: string;
  readonly port: number;

  constructor(host: string, port: number) {
    super("ADDRESS_IN_USE", `Port ${port} on ${host} is already in use by another process (another Endure server?). Stop it, or pass another port (0 picks a free one).`);
    this.host = host;
    this.port = port;
  }
}

/** The request has no `Authorization: Bearer <token>` header, or not the server's token. */
export class UnauthorizedError extends EndureError {
  constructor(problem: string) {
    super("UNAUTHORIZED", `${problem} This server requires its API token on every request: send the header "Authorization: Bearer <token>".`);
  }
}

/** One reason a request does not match its route's schema: where (e.g. `body.args`) and what is wrong. */
export interface RequestIssue {
  path: string;
  message: string;
}

/** The request's body, query or path does not have the shape its route takes. Nothing was done. */
export class RequestValidationError extends EndureError {
  readonly issues: RequestIssue[];

  constructor(issues: RequestIssue[]) {
    const list = issues.map((issue) => `${issue.path}: ${issue.message}`).join("; ");
    super("INVALID_REQUEST", `The request is not valid: ${list}. Nothing was done; see GET /api/openapi.json for the shape each route takes.`);
    this.issues = issues;
  }
}

/** The request body is not JSON. */
export class MalformedJsonError extends EndureError {
  constructor() {
    super("MALFORMED_JSON", "The request body is not valid JSON. Nothing was done; send a JSON object with Content-Type: application/json.");
  }
}

/** The request body is not declared as JSON. */
export class UnsupportedMediaTypeError extends EndureError {
  readonly contentType: string | null;

  constructor(contentType: string | undefined) {
    super(
      "UNSUPPORTED_MEDIA_TYPE",
      `The request body is ${contentType ? `of type "${contentType}"` : "sent without a Content-Type"}; this API takes JSON only. ` +
        `Nothing was done; send the body with Content-Type: application/json.`,
    );
    this.contentType = contentType ?? null;
  }
}

/** The request body is larger than the server's `bodyLimit`; it was not read. */
export class BodyTooLargeError extends EndureError {
  readonly limit: number;

  constructor(limit: number) {
    super(
      "BODY_TOO_LARGE",
      `The request body is over this server's limit of ${limit} bytes. Nothing was done; send less ` +
        `(large data belongs elsewhere, with a reference to it in the run), or raise the server's bodyLimit.`,
    );
    this.limit = limit;
  }
}

/** No route has this path. */
export class RouteNotFoundError extends EndureError {
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string) {
    const hint = path.startsWith("/api/runs/") ? " Percent-encode the run id in the path (a child run `parent/3` is `parent%2F3`)." : "";
    super("NOT_FOUND", `No route ${method} ${path}.${hint} The routes are listed at GET /api/openapi.json.`);
    this.method = method;
    this.path = path;
  }
}

/** The path exists, with other methods. */
export class MethodNotAllowedError extends EndureError {
  readonly method: string;
  readonly path: string;
  readonly allowed: string[];

  constructor(method: string, path: string, allowed: string[]) {
    super("METHOD_NOT_ALLOWED", `${path} does not take ${method}; it takes ${allowed.join(", ")}.`);
    this.method = method;
    this.path = path;
    this.allowed = allowed;
  }
}

/** `GET /metrics` on a server started without `metrics`. */
export class MetricsNotEnabledError extends EndureError {
  constructor() {
    super("METRICS_NOT_ENABLED", "Metrics are not enabled on this server. Start it with a metrics registry (startServer({ metrics })) to serve them here.");
  }
}

/** A token-less server was reached under another name than loopback, or from another site's web page. */
export class ForbiddenRequestError extends EndureError {
  constructor(message: string) {
    super("FORBIDDEN", message);
  }
}

// ---- event log: webhooks ----

/** `POST /webhooks/<name>` names no webhook a worker registered. Nothing was recorded. */
export class WebhookNotFoundError extends EndureError {
  readonly webhook: string;

  constructor(name: string, known: readonly string[]) {
    const list = knownList(known);
    super(
      "WEBHOOK_NOT_FOUND",
      `No webhook named "${name}" is registered (known: ${list}). Nothing was recorded. Workers register the webhooks their workflow file exports ` +
        `(webhook("${name}", ...)): export it and start or restart a worker, or check the URL.`,
    );
    this.webhook = name;
  }
}

/** A webhook request whose signature header is missing or does not match its body. Nothing was recorded. */
export class InvalidSignatureError extends EndureError {
  readonly webhook: string;

  constructor(webhook: string, problem: string) {
    super(
      "INVALID_SIGNATURE",
      `${problem} Webhook "${webhook}" takes only requests signed with its secret; nothing was recorded. ` +
        `Check that the sender is configured with the same secret as the webhook() definition.`,
    );
    this.webhook = webhook;
  }
}

/** A webhook request that cannot become an event (a malformed JSON body, a missing type header). Nothing was recorded. */
export class InvalidWebhookRequestError extends EndureError {
  readonly webhook: string;

  constructor(webhook: string, problem: string) {
    super("INVALID_WEBHOOK_REQUEST", `Webhook "${webhook}": ${problem} Nothing was recorded.`);
    this.webhook = webhook;
  }
}
