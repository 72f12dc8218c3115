import type { WebhookDefinition } from "../../src/index.js";
import type { NewTrigger } from "../../src/store/event-log-store.js";
import { openStore } from "../../src/store/open-store.js";

/**
 * Registers webhooks and triggers in the store at `url` as a worker whose file exports them does,
 * for tests of the client, API and CLI that read them without running such a worker.
 */
export async function registerInStore(url: string, entries: { webhooks?: WebhookDefinition[]; triggers?: NewTrigger[] }): Promise<void> {
  const store = await openStore(url);
  try {
    if (entries.webhooks) await store.upsertWebhooks(entries.webhooks.map((hook) => ({ name: hook.name, definition: JSON.stringify(hook.config) })));
    if (entries.triggers) await store.registerTriggers(entries.triggers);
  } finally {
    await store.close();
  }
}
