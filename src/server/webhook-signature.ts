import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookSignature } from "../api/webhook.js";
import { InvalidSignatureError } from "./errors.js";

/**
 * Checks a webhook request's signature as GitHub's `X-Hub-Signature-256` works: the header holds
 * `<prefix><digest>`, the digest an HMAC of the raw body bytes with the shared secret. The
 * comparison takes the same time wherever the header differs, so it leaks nothing of the digest.
 * @param header the signature header's value, undefined when the request has none.
 * @throws InvalidSignatureError when it is missing or does not match.
 */
export function verifySignature(webhook: string, signature: Required<WebhookSignature>, body: Uint8Array, header: string | undefined): void {
  if (header === undefined) throw new InvalidSignatureError(webhook, `The request has no ${signature.header} header.`);
  const expected = Buffer.from(signatureOf(signature, body));
  // Hex digests compare without regard to case; base64 is case-sensitive.
  const given = Buffer.from(signature.encoding === "hex" ? header.trim().toLowerCase() : header.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    const form = `${signature.prefix}<${signature.encoding} HMAC-${signature.algorithm.toUpperCase()} of the body>`;
    throw new InvalidSignatureError(webhook, `The ${signature.header} header does not match the body (expected the form ${form}).`);
  }
}

/** The header value a sender with the secret puts on `body`. */
export function signatureOf(signature: Required<WebhookSignature>, body: Uint8Array): string {
  const digest = createHmac(signature.algorithm, signature.secret).update(body).digest(signature.encoding);
  return `${signature.prefix}${signature.encoding === "hex" ? digest.toLowerCase() : digest}`;
}
