import { z } from "zod";
import { InvalidRunExportError } from "../api/errors.js";
import { ENTRY_KINDS, ENTRY_STATUSES, type JournalEntry, RUN_STATUSES, type RunRecord } from "../store/store.js";

/** The format `endure export` writes; a later format gets a new name. */
export const RUN_EXPORT_FORMAT = "endure-run/1";

/**
 * A run and its journal as stored, payloads still serialized: what `endure export` writes and a
 * replay check reads (`endure replay --from`, `checkReplay`).
 */
export interface RunExport {
  format: typeof RUN_EXPORT_FORMAT;
  exportedAt: string;
  run: RunRecord;
  journal: JournalEntry[];
}

const time = z.number().nullable();
const text = z.string().nullable();

// Only what a replay reads is checked; the rest of the run record is carried as it was.
const runExportSchema = z.object({
  format: z.literal(RUN_EXPORT_FORMAT),
  run: z.looseObject({
    id: z.string().min(1),
    workflow: z.string().min(1),
    status: z.enum(RUN_STATUSES),
    input: z.string(),
    cancelRequested: z.boolean(),
    cancelDelivered: z.boolean(),
  }),
  journal: z.array(z.object({
    position: z.number().int().min(0),
    kind: z.enum(ENTRY_KINDS),
    name: z.string(),
    status: z.enum(ENTRY_STATUSES),
    output: text,
    error: text,
    attempts: z.number().int().min(0),
    startedAt: time,
    finishedAt: time,
    wakeAt: time,
    seq: z.number().int().nullable(),
  })),
});

/**
 * Reads an exported run from JSON text.
 * @param source Names the text in errors, e.g. its file name.
 * @throws InvalidRunExportError naming the first problem.
 */
export function parseRunExport(json: string, source: string): RunExport {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new InvalidRunExportError(source, `it is not JSON (${(error as Error).message})`);
  }
  const parsed = runExportSchema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new InvalidRunExportError(source, `${issue!.path.length > 0 ? issue!.path.join(".") : "the document"}: ${issue!.message}`);
  }
  return parsed.data as unknown as RunExport;
}
