import { z } from "zod";
import { queryRows } from "../db.ts";
import { empty, sql, type Sql } from "../sql.ts";
import { maxTimeoutOf } from "../config.ts";
import type { Engine } from "./context.ts";
import type { AnyJobType, Registry } from "./define.ts";
import { EnqueueError, toIssues } from "./errors.ts";
import { insertDebounced, jobKeys, type JobKeys } from "./flow/debounce.ts";
import { jobIdSchema } from "./ids.ts";
import { tracedEnqueue } from "./tracing.ts";
import { wakeChannel } from "./wake.ts";
import { clock, jobColumns, type Job } from "./types.ts";

/** Largest payload accepted, as JSON text. Jobs carry ids and small data, not files. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Most rows one `enqueueMany` inserts (one statement). */
export const MAX_BATCH = 10_000;


export const enqueueOptionsSchema = z
  .strictObject({
    runAt: z.coerce.date({ error: "must be a date or an ISO 8601 string" }).optional(),
    delayMs: z.number().int().min(0).max(366 * 24 * 3600 * 1000).optional(),
    priority: z.number().int().min(-1000).max(1000).optional(),
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    timeoutMs: z.number().int().min(1).max(24 * 3600 * 1000).optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
    dependsOn: z.array(jobIdSchema).max(100).optional(),
  })
  .refine((o) => !(o.runAt && o.delayMs !== undefined), { message: "give runAt or delayMs, not both", path: ["delayMs"] });

export type EnqueueOptions = z.input<typeof enqueueOptionsSchema>;

export interface EnqueueResult {
  job: Job;
  /** False when an idempotency key matched an existing job: that job is returned, nothing is written. */
  created: boolean;
}

interface Row {
  type: string;
  payload: string;
  priority: number;
  runAt: Date | null;
  delayMs: number;
  maxAttempts: number;
  timeoutMs: number;
  idempotencyKey: string | null;
  dependsOn: string[];
  /** flow_key and debounce (engine/flow/debounce.ts); absent: neither. */
  keys?: JobKeys;
}

/** Everything that can be wrong is found here, before any SQL runs. */
function prepare(registry: Registry, type: unknown, payload: unknown, options: unknown, at: (string | number)[] = []): Row {
  if (typeof type !== "string" || !registry.get(type)) {
    throw new EnqueueError("unknown_type", registry.unknownType(type));
  }
  const def = registry.get(type) as AnyJobType;
  const parsed = def.schema.safeParse(payload);
  if (!parsed.success) {
    throw new EnqueueError("invalid_payload", `invalid payload for job type "${type}"`, toIssues(parsed.error, [...at, "payload"]));
  }
  // No options (the common call): nothing to validate, and zod's strict-object pass is skipped.
  const none = options === undefined || options === null || (typeof options === "object" && !Array.isArray(options) && isEmpty(options));
  const opts = none ? { success: true as const, data: {} as z.output<typeof enqueueOptionsSchema> } : enqueueOptionsSchema.safeParse(options);
  if (!opts.success) throw new EnqueueError("invalid_options", "invalid enqueue options", toIssues(opts.error, [...at, "options"]));
  let json: string;
  try {
    json = JSON.stringify(parsed.data ?? null);
  } catch (err) {
    throw new EnqueueError("invalid_payload", `payload for "${type}" is not JSON-serializable: ${(err as Error).message}`);
  }
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
    throw new EnqueueError("too_large", `payload is ${Buffer.byteLength(json)} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
  // PostgreSQL cannot store U+0000 in jsonb or text; refuse it here rather than fail the INSERT.
  if (json.includes("\\u0000")) {
    throw new EnqueueError("invalid_payload", `invalid payload for job type "${type}"`, [
      { path: [...at, "payload"], message: "contains a NUL character (U+0000), which PostgreSQL cannot store" },
    ]);
  }
  const o = opts.data;
  const keys = jobKeys(def, parsed.data, at);
  if (o.idempotencyKey?.includes("\0")) {
    throw new EnqueueError("invalid_options", "invalid enqueue options", [
      { path: [...at, "options", "idempotencyKey"], message: "contains a NUL character (U+0000), which PostgreSQL cannot store" },
    ]);
  }
  return {
    type,
    payload: json,
    priority: o.priority ?? def.priority,
    runAt: o.runAt ?? null,
    delayMs: o.delayMs ?? 0,
    maxAttempts: o.maxAttempts ?? def.maxAttempts,
    timeoutMs: o.timeoutMs ?? def.timeoutMs,
    idempotencyKey: o.idempotencyKey ?? null,
    dependsOn: o.dependsOn ?? [],
    keys,
  };
}

/** A job whose timeout no trigger's budget can hold would never be claimed: refused (config.maxTimeoutMs). */
function checkTimeout(e: Engine, r: Row, at: (string | number)[] = []): void {
  const max = maxTimeoutOf(e.config);
  if (r.timeoutMs <= max) return;
  throw new EnqueueError("invalid_options", "invalid enqueue options", [
    {
      path: [...at, "options", "timeoutMs"],
      message: `timeoutMs ${r.timeoutMs} is longer than any tick's budget (${max} ms: MAX_TIMEOUT_MS), so the job could never run`,
    },
  ]);
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return Object.getOwnPropertySymbols(o).length === 0;
}

// A dependent job starts blocked while any of its dependencies has not completed.
const blockedExpr = (e: Engine, deps: Sql) =>
  sql`EXISTS (SELECT 1 FROM ${e.t.jobs} d WHERE d.id = ANY(${deps}) AND d.status <> 'completed')`;

/**
 * Validate and insert one job, in `db` (the client, or the caller's transaction so the job
 * commits or rolls back with the app's own writes). Unknown type, invalid payload or options:
 * an EnqueueError and nothing written. A repeated idempotencyKey returns the existing job,
 * also when two enqueues race (the unique index decides; the loser reads the winner's row).
 */
export async function enqueue(
  e: Engine,
  type: string,
  payload: unknown,
  options: EnqueueOptions & { now?: Date } = {},
): Promise<EnqueueResult> {
  const { now, ...rest } = options;
  const r = prepare(e.registry, type, payload, rest);
  checkTimeout(e, r);
  const debounce = r.keys?.debounce;
  if (debounce) {
    if (r.idempotencyKey !== null || r.dependsOn.length) throw new EnqueueError("invalid_options", `job type "${r.type}" debounces: it takes no idempotencyKey or dependsOn`);
    const row = { ...r, flowKey: r.keys?.flowKey ?? null, debounce, delayMs: rest.delayMs ?? null };
    return tracedEnqueue(r.type, 1, (traceparent) => insertDebounced(e, row, now, traceparent), (res) => [res.job.id]);
  }
  await checkDependencies(e, r.dependsOn);
  const deps = sql`${r.dependsOn}::bigint[]`;
  // Without dependencies or a key, skip what cannot apply: the EXISTS probe, and ON CONFLICT
  // (a speculative insertion: more WAL per row; NULL keys never conflict).
  const blocked = r.dependsOn.length ? blockedExpr(e, deps) : sql`false`;
  const onConflict = r.idempotencyKey === null ? empty : sql`ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`;
  return tracedEnqueue(r.type, 1, (traceparent) => insertOne(e, r, deps, blocked, onConflict, now, traceparent), (res) => [res.job.id]);
}

interface Inserted {
  id: string;
  runAt: Date;
  createdAt: Date;
  blocked: boolean;
}

/**
 * The row just inserted, as a Job: what the database decided (id, run_at, created_at, blocked)
 * comes back from the INSERT; the rest is what was written, so the statement returns four
 * columns instead of the whole row (the payload as stored: its JSON, parsed).
 */
function newJob(r: Row, ins: Inserted, traceparent: string | null): Job {
  return {
    id: ins.id, type: r.type, payload: JSON.parse(r.payload), status: "pending", priority: r.priority, runAt: ins.runAt,
    attempts: 0, maxAttempts: r.maxAttempts, timeoutMs: r.timeoutMs, lockedAt: null, lockedBy: null, lockedUntil: null,
    lastError: null, errors: [], result: null, progress: null, idempotencyKey: r.idempotencyKey, dependsOn: [...r.dependsOn],
    blocked: ins.blocked, parentId: null, createdAt: ins.createdAt, updatedAt: ins.createdAt, startedAt: null, finishedAt: null,
    traceparent,
  };
}

async function insertOne(e: Engine, r: Row, deps: Sql, blocked: Sql, onConflict: Sql, now: Date | undefined, traceparent: string | null): Promise<EnqueueResult> {
  for (let i = 0; i < 2; i++) {
    // The wake (engine/wake.ts) rides in the statement: sent at commit, only for a job due now.
    // run_at is stored to the millisecond: truncated, not rounded, so a job due now is due at
    // once (rounded up, a claim in the next half millisecond would not see it yet).
    const inserted = await queryRows<Inserted>(e.db, sql`
      INSERT INTO ${e.t.jobs} AS jobs (type, payload, priority, run_at, max_attempts, timeout_ms, idempotency_key, depends_on, blocked, traceparent, flow_key)
      VALUES (${r.type}, ${r.payload}::jsonb, ${r.priority},
              coalesce(${r.runAt}::timestamptz, date_trunc('milliseconds', ${clock(now)} + ${r.delayMs} * interval '1 millisecond')),
              ${r.maxAttempts}, ${r.timeoutMs}, ${r.idempotencyKey}, ${deps}, ${blocked}, ${traceparent}, ${r.keys?.flowKey ?? null})
      ${onConflict}
      RETURNING jobs.id::text AS id, jobs.run_at AS "runAt", jobs.created_at AS "createdAt", jobs.blocked,
                ${wakeIfDue(e, sql`jobs.type`, sql`jobs.run_at`, sql`jobs.blocked`, now)} AS _wake`);
    if (inserted.length) return { job: newJob(r, inserted[0], traceparent), created: true };
    const existing = await queryRows<Job>(e.db, sql`SELECT ${jobColumns()} FROM ${e.t.jobs} jobs WHERE idempotency_key = ${r.idempotencyKey}`);
    if (existing.length) return { job: existing[0], created: false };
    // The conflicting row was deleted between the two statements (retention): insert again.
  }
  throw new Error(`enqueue: idempotency key ${JSON.stringify(r.idempotencyKey)} kept conflicting with a vanishing row`);
}

export interface EnqueueManyItem {
  type: string;
  payload: unknown;
  options?: EnqueueOptions;
}

/**
 * Validate every item, then insert them all in one statement. One invalid item: an
 * EnqueueError naming its index, nothing written. Items whose idempotencyKey already exists
 * are skipped. Returns the ids of the jobs created, in input order.
 */
export async function enqueueMany(e: Engine, items: EnqueueManyItem[], options: { now?: Date } = {}): Promise<string[]> {
  if (!Array.isArray(items)) throw new EnqueueError("invalid_options", "enqueueMany takes an array");
  if (items.length > MAX_BATCH) throw new EnqueueError("too_large", `enqueueMany takes at most ${MAX_BATCH} jobs; got ${items.length}`);
  if (items.length === 0) return [];
  const rows = items.map((it, i) => prepare(e.registry, it?.type, it?.payload, it?.options, [i]));
  const debounced = rows.findIndex((r) => r.keys?.debounce);
  if (debounced >= 0) throw new EnqueueError("invalid_options", `job type "${rows[debounced].type}" debounces: enqueue it with enqueue(), not enqueueMany (item ${debounced})`);
  rows.forEach((r, i) => checkTimeout(e, r, [i]));
  await checkDependencies(e, [...new Set(rows.flatMap((r) => r.dependsOn))]);
  const types = [...new Set(rows.map((r) => r.type))];
  // One span for the batch; every job of it links back to that span.
  return tracedEnqueue(types.length === 1 ? types[0] : "(batch)", rows.length, (traceparent) => insertMany(e, rows, options.now, traceparent), (ids) => ids);
}

async function insertMany(e: Engine, rows: Row[], now: Date | undefined, traceparent: string | null): Promise<string[]> {
  // Dependency lists travel as text ('{1,2}') because unnest flattens arrays of arrays. The
  // wake (engine/wake.ts): one pg_notify per distinct type due now, in the same statement.
  const created = await queryRows<{ id: string }>(e.db, sql`
    WITH ins AS (
    INSERT INTO ${e.t.jobs} (type, payload, priority, run_at, max_attempts, timeout_ms, idempotency_key, depends_on, blocked, traceparent, flow_key)
    SELECT t.type, t.payload::jsonb, t.priority,
           coalesce(t.run_at, date_trunc('milliseconds', ${clock(now)} + t.delay_ms * interval '1 millisecond')),
           t.max_attempts, t.timeout_ms, t.idempotency_key, t.deps::bigint[],
           ${rows.some((r) => r.dependsOn.length) ? blockedExpr(e, sql`t.deps::bigint[]`) : sql`false`}, ${traceparent}::text, t.flow_key
    FROM unnest(${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.payload)}::text[],
                ${rows.map((r) => r.priority)}::int[], ${rows.map((r) => r.runAt?.toISOString() ?? null)}::timestamptz[],
                ${rows.map((r) => r.delayMs)}::bigint[], ${rows.map((r) => r.maxAttempts)}::int[],
                ${rows.map((r) => r.timeoutMs)}::int[], ${rows.map((r) => r.idempotencyKey)}::text[],
                ${rows.map((r) => `{${r.dependsOn.join(",")}}`)}::text[], ${rows.map((r) => r.keys?.flowKey ?? null)}::text[])
         WITH ORDINALITY AS t(type, payload, priority, run_at, delay_ms, max_attempts, timeout_ms, idempotency_key, deps, flow_key, ord)
    ORDER BY t.ord
    ${rows.some((r) => r.idempotencyKey !== null) ? sql`ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING` : empty}
    RETURNING id, type, run_at, blocked),
    woken AS (
      SELECT pg_notify(${wakeChannel(e.config.schema)}, d.type)::text = '' AS notified
      FROM (SELECT DISTINCT type FROM ins WHERE NOT blocked AND run_at <= ${clock(now)}) d)
    SELECT id::text AS id FROM ins, (SELECT count(*) FROM woken) w`);
  // Ids come from one sequence in insertion order, which follows t.ord.
  // Compared as decimal strings (shorter is smaller), without a BigInt per comparison.
  return created.map((r) => r.id).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * pg_notify(the queue's channel, type) when the row is due now and not blocked; a boolean
 * column (true: notified), since drivers (Prisma's) cannot read pg_notify's `void`.
 */
function wakeIfDue(e: Engine, type: Sql, runAt: Sql, blocked: Sql, now?: Date): Sql {
  return sql`CASE WHEN NOT ${blocked} AND ${runAt} <= ${clock(now)} THEN pg_notify(${wakeChannel(e.config.schema)}, ${type})::text = '' END`;
}

/** Dependencies must exist; a job waiting on a missing id would wait forever. */
async function checkDependencies(e: Engine, deps: string[]): Promise<void> {
  if (!deps.length) return;
  const found = await queryRows<{ id: string }>(e.db, sql`SELECT id::text AS id FROM ${e.t.jobs} WHERE id = ANY(${deps}::bigint[])`);
  if (found.length === deps.length) return;
  const have = new Set(found.map((f) => f.id));
  const missing = deps.filter((d) => !have.has(d));
  throw new EnqueueError("invalid_options", `dependsOn names jobs that do not exist: ${missing.join(", ")}`, [
    { path: ["options", "dependsOn"], message: `unknown job id(s): ${missing.join(", ")}` },
  ]);
}

/** A job validated for insertion (durable steps enqueue children through it). */
export type PreparedJob = Row;
export { prepare as prepareJob };
