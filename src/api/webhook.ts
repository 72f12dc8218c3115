import { InvalidArgumentError } from "./errors.js";
import { validateEventType } from "./validate.js";
import { WORKFLOW_NAME } from "./workflow.js";

/** How a webhook's sender signs each request: an HMAC of the raw body with a shared secret. */
export interface WebhookSignature {
  /** The shared secret (e.g. `process.env.GITHUB_WEBHOOK_SECRET`). */
  secret: string;
  /** The header carrying the signature (default `X-Hub-Signature-256`, GitHub's). */
  header?: string;
  /** The HMAC's hash (default `sha256`). */
  algorithm?: "sha1" | "sha256" | "sha512";
  /** What precedes the digest in the header (default `"<algorithm>="`, e.g. `sha256=`); `""` for none. */
  prefix?: string;
  /** How the digest is written (default `hex`). */
  encoding?: "hex" | "base64";
}

export interface WebhookOptions {
  /** The type of the events it records (default: the webhook's name). */
  type?: string;
  /**
   * A header whose value is appended to the type, after a dot: with `typeHeader: "X-GitHub-Event"`,
   * a push to the webhook `github` is recorded as `github.push`.
   */
  typeHeader?: string;
  /** Verify every request's signature: a bad or missing one is answered 401 and records nothing. */
  signature?: WebhookSignature;
  /**
   * A header carrying the sender's delivery id (e.g. `X-GitHub-Delivery`): a redelivery with the same
   * id records nothing new, and is answered with the event first recorded.
   */
  deliveryHeader?: string;
  /** More headers to keep with the event (the type, delivery and `Content-Type` headers always are). */
  headers?: readonly string[];
}

/** A webhook as the store keeps it (JSON): names are lower-case, defaults filled in. */
export interface WebhookConfig {
  name: string;
  type: string;
  typeHeader: string | null;
  signature: Required<WebhookSignature> | null;
  deliveryHeader: string | null;
  headers: string[];
}

/** What `webhook()` returns: export it from the workflow file, and workers register it. */
export interface WebhookDefinition {
  readonly kind: "webhook";
  readonly name: string;
  readonly config: WebhookConfig;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const ALGORITHMS = ["sha1", "sha256", "sha512"] as const;

/**
 * Declares a webhook: `POST /webhooks/<name>` on the Endure server records each request as an event
 * in the event log (its JSON, form or text body as the payload, selected headers kept), and the
 * triggers and subscriptions of its type act on it. Export it from the workflow file:
 * `endure worker` and `endure dev` register it in the store, where every server reads it.
 *
 * The secret is kept in the store with the definition, so whoever can read the database can sign
 * requests (whoever can write it can add events anyway).
 *
 * @example
 * ```ts
 * export const github = webhook("github", {
 *   typeHeader: "X-GitHub-Event",                     // records "github.push", "github.issues", ...
 *   signature: { secret: process.env.GITHUB_WEBHOOK_SECRET! },  // X-Hub-Signature-256, sha256=<hex>
 *   deliveryHeader: "X-GitHub-Delivery",
 * });
 * ```
 */
export function webhook(name: string, options: WebhookOptions = {}): WebhookDefinition {
  const where = `webhook(${JSON.stringify(name)})`;
  if (typeof name !== "string" || !WORKFLOW_NAME.test(name) || name.includes("/")) {
    throw new InvalidArgumentError(
      `webhook() needs a name of 1 to 128 letters, digits or _ . : - (it is the last part of the URL /webhooks/<name>); got ${JSON.stringify(name)}.`,
    );
  }
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError(`${where}: options must be an object such as { deliveryHeader: "X-GitHub-Delivery" }; got ${String(options)}.`);
  }
  const config: WebhookConfig = {
    name,
    type: validateEventType(options.type ?? name, `${where}: type`),
    typeHeader: optionalHeader(options.typeHeader, `${where}: typeHeader`),
    signature: options.signature === undefined ? null : signatureConfig(options.signature, where),
    deliveryHeader: optionalHeader(options.deliveryHeader, `${where}: deliveryHeader`),
    headers: (options.headers ?? []).map((header) => headerName(header, `${where}: headers`)),
  };
  return Object.freeze({ kind: "webhook" as const, name, config });
}

/** Whether `value` came from {@link webhook}. */
export function isWebhookDefinition(value: unknown): value is WebhookDefinition {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "webhook";
}

function signatureConfig(signature: WebhookSignature, where: string): Required<WebhookSignature> {
  if (typeof signature !== "object" || signature === null) {
    throw new InvalidArgumentError(`${where}: signature must be an object such as { secret: process.env.WEBHOOK_SECRET }; got ${String(signature)}.`);
  }
  if (typeof signature.secret !== "string" || signature.secret.length < 8) {
    throw new InvalidArgumentError(
      `${where}: signature.secret must be a string of at least 8 characters; got ${signature.secret === undefined ? "undefined (is its environment variable set?)" : typeof signature.secret === "string" ? `${signature.secret.length} characters` : typeof signature.secret}.`,
    );
  }
  const algorithm = signature.algorithm ?? "sha256";
  if (!ALGORITHMS.includes(algorithm)) {
    throw new InvalidArgumentError(`${where}: signature.algorithm must be one of ${ALGORITHMS.join(", ")}; got ${JSON.stringify(algorithm)}.`);
  }
  const encoding = signature.encoding ?? "hex";
  if (encoding !== "hex" && encoding !== "base64") {
    throw new InvalidArgumentError(`${where}: signature.encoding must be "hex" or "base64"; got ${JSON.stringify(encoding)}.`);
  }
  const prefix = signature.prefix ?? `${algorithm}=`;
  if (typeof prefix !== "string") throw new InvalidArgumentError(`${where}: signature.prefix must be a string (e.g. "sha256="); got ${typeof prefix}.`);
  return { secret: signature.secret, header: headerName(signature.header ?? "X-Hub-Signature-256", `${where}: signature.header`), algorithm, prefix, encoding };
}

function optionalHeader(header: string | undefined, where: string): string | null {
  return header === undefined ? null : headerName(header, where);
}

function headerName(header: unknown, where: string): string {
  if (typeof header !== "string" || !HEADER_NAME.test(header)) {
    throw new InvalidArgumentError(`${where} must name HTTP headers, e.g. "X-GitHub-Delivery"; got ${JSON.stringify(header) ?? typeof header}.`);
  }
  return header.toLowerCase();
}
