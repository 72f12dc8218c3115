import type { QueueState } from "../store/queue-store.js";

/**
 * A queue as `endure.queues()` shows it: its limits (null: no such limit) and, right now, how many
 * runs wait in it (`queued`, delayed ones included) and how many hold a slot (`active`: admitted
 * and not finished, waiting ones included).
 */
export type QueueInfo = QueueState;

