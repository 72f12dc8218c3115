import type { CatchUpPolicy, ScheduleRecord } from "./schedule-store.js";

/** A schedules row as either driver returns it (see rows.ts: BIGINT as string, flags as 0/1 or booleans). */
export interface ScheduleRow {
  name: string;
  workflow: string;
  cron: string;
  timezone: string;
  input: string;
  options: string;
  catch_up: string;
  paused: number | boolean;
  next_at: number | string | null;
  last_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

export function toScheduleRecord(row: ScheduleRow): ScheduleRecord {
  return {
    name: row.name,
    workflow: row.workflow,
    cron: row.cron,
    timezone: row.timezone,
    input: row.input,
    options: row.options,
    catchUp: row.catch_up as CatchUpPolicy,
    paused: row.paused === true || row.paused === 1,
    nextAt: row.next_at === null ? null : Number(row.next_at),
    lastAt: row.last_at === null ? null : Number(row.last_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
