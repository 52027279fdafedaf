import { execute } from "../db.ts";
import { errorFields } from "../logger.ts";
import { sql } from "../sql.ts";
import type { Engine } from "./context.ts";
import type { JobContext } from "./define.ts";
import { clock, type Job } from "./types.ts";

export const MAX_PROGRESS_BYTES = 4 * 1024;
/** A handler may call progress() in a tight loop; the row is written at most this often. */
export const PROGRESS_INTERVAL_MS = 1_000;

function encode(value: unknown): string {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`progress must be a number from 0 to 1, got ${value}`);
    return JSON.stringify(value);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError("progress must be a number from 0 to 1 or a plain object");
  }
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > MAX_PROGRESS_BYTES) throw new RangeError(`progress is over ${MAX_PROGRESS_BYTES} bytes`);
  return json;
}

export interface ProgressWriter {
  report: JobContext["progress"];
  /** Write the latest throttled value now (before the attempt is finalized). */
  flush(): Promise<void>;
}

/**
 * ctx.progress for one attempt: fenced like every write after a claim, and throttled to one
 * write per PROGRESS_INTERVAL_MS. A call inside the interval returns at once (with the lease
 * state the last write saw) and its value is written when the interval ends, so a handler
 * reporting in a tight loop is never slowed down and its latest value is kept.
 */
export function progressWriter(e: Engine, workerId: string, job: Job, now?: Date): ProgressWriter {
  let lastWrite = 0;
  let leaseHeld = true;
  let pending: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const write = (json: string): Promise<boolean> => {
    lastWrite = Date.now();
    const p = inFlight.then(async () => {
      const n = await execute(e.db, sql`
        UPDATE ${e.t.jobs} SET progress = ${json}::jsonb, updated_at = ${clock(now)}
        WHERE id = ${job.id}::bigint AND attempts = ${job.attempts} AND locked_by = ${workerId} AND status = 'processing'`);
      leaseHeld = n === 1;
      return leaseHeld;
    });
    inFlight = p.catch(() => {});
    return p;
  };

  const writePending = () => {
    timer = undefined;
    const json = pending;
    pending = undefined;
    if (json !== undefined) {
      write(json).catch((err) => e.log.warn({ event: "progress_failed", jobId: job.id, ...errorFields(err) }, "writing a job's progress failed"));
    }
  };

  return {
    report(value) {
      const json = encode(value);
      const wait = lastWrite + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0 && !timer) return write(json);
      pending = json;
      timer ??= setTimeout(writePending, Math.max(0, wait));
      return Promise.resolve(leaseHeld);
    },
    async flush() {
      if (timer) {
        clearTimeout(timer);
        writePending();
      }
      await inFlight;
    },
  };
}
