import { DEFAULT_PAYLOAD_LIMIT, Serializer } from "../../src/serialization/serializer.js";
import { openStore } from "../../src/store/open-store.js";

/**
 * A run whose worker died holding it: created claimed by an owner that never renews its lease, so
 * that a real worker takes it over once `leaseMs` has passed.
 */
export async function createOrphanRun(storeUrl: string, id: string, workflow: string, leaseMs = 100): Promise<void> {
  const store = await openStore(storeUrl);
  try {
    const input = new Serializer(DEFAULT_PAYLOAD_LIMIT).serialize([], "the input");
    await store.createRun({ id, workflow, input, owner: { workerId: "dead-worker", leaseMs } });
  } finally {
    await store.close();
  }
}
