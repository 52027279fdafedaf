import { z } from "zod";
import type { Engine } from "../context.ts";
export interface Schedule {
    name: string;
    cron: string;
    timezone: string;
    type: string;
    payload: unknown;
    backfill: number;
    /** The next fire time not yet enqueued; null when the expression never fires again. */
    nextRunAt: Date | null;
    /** The latest fire time enqueued. */
    lastRunAt: Date | null;
    lastJobId: string | null;
    /** Why the latest fire enqueued nothing (the type was removed, the payload stopped matching). */
    lastError: string | null;
    createdAt: Date;
    updatedAt: Date;
}
export declare const COLUMNS: import("../../sql.ts").Sql;
export declare const scheduleOptionsSchema: z.ZodObject<{
    type: z.ZodString;
    payload: z.ZodOptional<z.ZodUnknown>;
    timezone: z.ZodDefault<z.ZodString>;
    backfill: z.ZodDefault<z.ZodNumber>;
    now: z.ZodOptional<z.ZodDate>;
}, z.core.$strict>;
export type ScheduleOptions = z.input<typeof scheduleOptionsSchema>;
export declare function dbNow(e: Engine, now?: Date): Promise<Date>;
/**
 * Create or update the schedule `name`. Everything is checked before anything is written:
 * the name, the cron expression (and that it ever fires), the timezone, the type and the
 * payload against the type's schema (again at every fire). A new schedule first fires at its
 * first fire time after now. An update keeps its cursor when the expression and timezone are
 * unchanged (a payload edit does not skip or repeat a fire), and restarts from now otherwise.
 */
export declare function schedule(e: Engine, name: string, cron: string, options: ScheduleOptions): Promise<Schedule>;
/** Remove a schedule. Jobs it already enqueued stay. False when there was none. */
export declare function unschedule(e: Engine, name: string): Promise<boolean>;
export declare function getSchedule(e: Engine, name: string): Promise<Schedule | null>;
/** Every schedule with its next fire time, by name. */
export declare function listSchedules(e: Engine): Promise<Schedule[]>;
