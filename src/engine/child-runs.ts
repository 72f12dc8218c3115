import { createHash } from "node:crypto";
import type { RunRecord, RunStatus } from "../store/store.js";

/** A child's end as its parent's inbox receives it (the store's trigger writes it). */
export interface ChildEnd {
  id: string;
  status: Extract<RunStatus, "completed" | "failed" | "cancelled">;
  output: string | null;
  error: string | null;
}

/** The inbox event that tells a parent the child of its call at `position` ended. */
export function childEventName(position: number): string {
  return `endure:child:${position}`;
}

const MAX_ID_LENGTH = 255;

/**
 * A child's id when the workflow gives none: the parent's id and the call's position, the same on
 * every replay. A parent id too long for that is shortened to its hash.
 */
export function childRunId(parentId: string, position: number): string {
  const id = `${parentId}/${position}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  return `${createHash("sha256").update(parentId).digest("hex")}/${position}`;
}

export function isChildOf(run: RunRecord, parentId: string, position: number): boolean {
  return run.parentId === parentId && run.parentPosition === position;
}
