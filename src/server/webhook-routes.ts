import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { validateEventType } from "../api/validate.js";
import type { WebhookConfig } from "../api/webhook.js";
import type { Endure } from "../client/endure.js";
import { errorResponses } from "./responses.js";
import { InvalidWebhookRequestError, WebhookNotFoundError } from "./errors.js";
import { webhookPayload } from "./webhook-body.js";
import { verifySignature } from "./webhook-signature.js";

/** The path of webhooks: the API's authentication skips it, and the route applies it itself (see {@link addWebhookRoutes}). */
export const WEBHOOK_PATH = "/webhooks/";

/**
 * `POST /webhooks/<name>`: records the request as an event of the webhook's type, through the
 * client's `emit()`. A webhook with a signature is authenticated by it, so the API's token and
 * same-machine checks (`authenticate`) do not apply to it; any other webhook (or an unknown name)
 * passes them first, as every other route does. A plain route, not an OpenAPI one: it reads the
 * raw body (the signature is over its bytes) and takes any content type. It is described in the
 * OpenAPI document by hand.
 */
export function addWebhookRoutes(app: OpenAPIHono, endure: Endure, authenticate: MiddlewareHandler): void {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: `${WEBHOOK_PATH}{name}`,
    summary: "Record a webhook request as an event (JSON, form or text body; signed webhooks need no API token)",
    request: { params: z.object({ name: z.string().openapi({ param: { name: "name", in: "path" }, example: "github" }) }) },
    responses: {
      202: { description: "Recorded: `{ seq, type, duplicate: false }`" },
      200: { description: "A redelivery (same delivery id): `{ seq, type, duplicate: true }`, the event first recorded" },
      ...errorResponses(400, 401, 403, 404, 413, 503),
    },
  });

  app.post(`${WEBHOOK_PATH}:name`, async (c) => {
    const name = c.req.param("name");
    const config = await endure.events.webhookConfig(name);
    // An unknown name answers only who may call the API: its message lists the webhooks.
    if (!config?.signature) await authenticate(c, async () => {});
    if (!config) throw new WebhookNotFoundError(name, (await endure.events.webhooks()).map((webhook) => webhook.name));
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (config.signature) verifySignature(name, config.signature, body, c.req.header(config.signature.header));
    const payload = webhookPayload(name, c.req.header("Content-Type"), body);
    const event = await endure.emit(eventType(config, c), payload, {
      source: `webhook:${name}`,
      key: deliveryKey(config, c),
      headers: keptHeaders(config, c),
    });
    return c.json({ seq: event.seq, type: event.type, duplicate: event.duplicate }, event.duplicate ? 200 : 202);
  });
}

function eventType(config: WebhookConfig, c: Context): string {
  if (config.typeHeader === null) return config.type;
  const value = c.req.header(config.typeHeader);
  if (value === undefined) {
    throw new InvalidWebhookRequestError(config.name, `the request has no ${config.typeHeader} header, which names the event type (recorded as "${config.type}.<its value>").`);
  }
  return validateEventType(`${config.type}.${value}`, `Webhook "${config.name}": the event type from the ${config.typeHeader} header`);
}

/** The delivery id makes the key, so a redelivery records nothing new; without it every request is an event. */
function deliveryKey(config: WebhookConfig, c: Context): string | undefined {
  const id = config.deliveryHeader === null ? undefined : c.req.header(config.deliveryHeader);
  return id === undefined ? undefined : `webhook:${config.name}:${id}`;
}

function keptHeaders(config: WebhookConfig, c: Context): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of new Set(["content-type", config.typeHeader, config.deliveryHeader, ...config.headers])) {
    const value = name === null ? undefined : c.req.header(name);
    if (name !== null && value !== undefined) kept[name] = value;
  }
  return kept;
}
