import { UnknownQueueError } from "../api/errors.js";
import type { QueueState } from "../store/queue-store.js";
import type { Store } from "../store/store.js";

/**
 * A queue as `endure.queues()` shows it: its limits (null: no such limit) and, right now, how many
 * runs wait in it (`queued`, delayed ones included) and how many hold a slot (`active`: admitted
 * and not finished, waiting ones included).
 */
export type QueueInfo = QueueState;

/**
 * The queues a store knows, for checking the names `start()` is given. Queues are never removed,
 * so a name once found stays known; the store is asked again only for a name not seen yet.
 */
export class KnownQueues {
  private readonly names = new Set<string>();

  constructor(private readonly store: Store) {}

  /** @throws UnknownQueueError when no worker of the store registered the queue. */
  async check(name: string): Promise<void> {
    if (this.names.has(name)) return;
    const known = await this.store.knownQueues();
    for (const each of known) this.names.add(each);
    if (!this.names.has(name)) throw new UnknownQueueError(name, known);
  }
}
