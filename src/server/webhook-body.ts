import { InvalidWebhookRequestError } from "./errors.js";

/**
 * A webhook request's body as an event payload: JSON (`application/json`, `*+json`) parsed, a form
 * (`application/x-www-form-urlencoded`) as an object of its fields (a field sent more than once as
 * an array of its values), anything else as UTF-8 text; an empty body is null.
 * @throws InvalidWebhookRequestError when a JSON body does not parse.
 */
export function webhookPayload(webhook: string, contentType: string | undefined, body: Uint8Array): unknown {
  if (body.byteLength === 0) return null;
  const text = new TextDecoder().decode(body);
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new InvalidWebhookRequestError(
        webhook,
        `the body is declared as ${mediaType} but is not valid JSON (${(error as Error).message}). Send valid JSON, or another Content-Type to record the body as text.`,
      );
    }
  }
  if (mediaType === "application/x-www-form-urlencoded") return formFields(text);
  return text;
}

function formFields(text: string): Record<string, string | string[]> {
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) fields.set(name, [...(fields.get(name) ?? []), value]);
  // fromEntries defines own properties: a field named __proto__ stays a field.
  return Object.fromEntries([...fields].map(([name, values]) => [name, values.length === 1 ? values[0]! : values]));
}
