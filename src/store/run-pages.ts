import type { RunQuery, RunRecord, Store } from "./store.js";

/** Every run a query matches, newest first, a page at a time, at most `limit` runs in all. */
export async function* runPages(store: Store, query: Omit<RunQuery, "limit" | "cursor">, pageSize: number, limit = Infinity): AsyncIterable<RunRecord[]> {
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await store.listRuns({ ...query, limit: Math.min(pageSize, limit - read), cursor });
    yield page.runs;
    read += page.runs.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && read < limit);
}
