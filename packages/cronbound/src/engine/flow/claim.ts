import { queryRows, type Executor } from "../../db.ts";
import { empty, raw, sql, type Sql } from "../../sql.ts";
import { claimAssignments, type ClaimOptions } from "../claim.ts";
import type { Engine } from "../context.ts";
import type { Registry } from "../define.ts";
import { completeSql, type Attempt } from "../finalize.ts";
import { jobColumns, toJob, type Job } from "../types.ts";
import { notPaused } from "../pause.ts";
import { isLimited } from "./options.ts";

// The flow claim (docs/FLOW-CONTROL.md): how jobs of limited types are claimed. Jobs of a type
// with a concurrency or rate limit carry a flow_key (set at enqueue) and sit in their own index
// (jobs_flow_claim_idx); the plain claim (claim.ts) never sees them and keeps its plan.
//
// Correctness under concurrent claimers: one transaction per flow claim,
//   1. pg_advisory_xact_lock on each limited type (ordered, so two claimers never deadlock);
//   2. one statement that counts running jobs and recent starts, picks, and marks the picks
//      processing. It runs after the lock was granted, so its snapshot sees every claim that the
//      previous lock holder committed: no read-then-write race. Completions between the count and
//      the commit only lower the real count. The lock is transaction-scoped: no session state, so
//      this holds through a transaction-mode pooler.
// Flow claims of the same type take turns (a few ms each); plain claims never wait for them.

/** A limited type as the claim sees it: the code's numbers (type_settings may override them). */
export interface FlowType {
  type: string;
  conc: number | null;
  concPerKey: boolean;
  rate: number | null;
  periodMs: number | null;
  ratePerKey: boolean;
}

const cache = new WeakMap<Registry, FlowType[]>();

/** Every limited job type of the registry, or those of `types` when the claim is narrowed. */
export function flowTypes(e: Engine, types?: string[]): FlowType[] {
  let all = cache.get(e.registry);
  if (!all) {
    all = [];
    for (const name of e.registry.names()) {
      const f = e.registry.get(name)!.flow;
      if (!isLimited(f)) continue;
      all.push({
        type: name,
        conc: f.concurrency?.limit ?? null,
        concPerKey: f.concurrency ? f.concurrency.perKey : !!f.key,
        rate: f.rateLimit?.limit ?? null,
        periodMs: f.rateLimit?.periodMs ?? null,
        ratePerKey: f.rateLimit ? f.rateLimit.perKey : !!f.key,
      });
    }
    cache.set(e.registry, all);
  }
  return types?.length ? all.filter((t) => types.includes(t.type)) : all;
}

/** The statement clock: statement_timestamp() is taken after the lock was granted, so starts are stamped in lock order. */
function flowClock(now: Date | undefined): Sql {
  return now ? sql`${now}::timestamptz` : sql`statement_timestamp()`;
}

/** The effective limits of `flow`'s types: the code's numbers, overridden by type_settings; paused types left out. */
export function flowConfig(e: Engine, flow: FlowType[], withPaused = false): Sql {
  return sql`
    SELECT c.type, coalesce(s.concurrency_limit, c.conc) AS conc, c.conc_per_key,
           coalesce(s.rate_limit, c.rate) AS rate, coalesce(s.rate_period_ms, c.period_ms) AS period_ms, c.rate_per_key,
           (s.paused_at IS NOT NULL) AS paused
    FROM unnest(${flow.map((f) => f.type)}::text[], ${flow.map((f) => f.conc)}::int[], ${flow.map((f) => f.concPerKey)}::bool[],
                ${flow.map((f) => f.rate)}::int[], ${flow.map((f) => f.periodMs)}::int[], ${flow.map((f) => f.ratePerKey)}::bool[])
         AS c(type, conc, conc_per_key, rate, period_ms, rate_per_key)
    LEFT JOIN ${e.t.typeSettings} s ON s.type = c.type
    ${withPaused ? empty : sql`WHERE s.paused_at IS NULL`}`;
}

/** The sequence of fair-claiming turns, as a regclass literal. */
function turnSeq(e: Engine): string {
  return `"${e.t.schema}"."flow_turn_seq"`;
}

/**
 * Claim up to `o.limit` jobs of the limited types `flow`, within their limits, round robin across
 * keys; `done` completions land first in the same transaction (so their slots count as free).
 */
export async function claimFlow(
  e: Engine,
  o: ClaimOptions,
  flow: FlowType[],
  done: (Attempt & { result: unknown })[] = [],
): Promise<{ jobs: Job[]; completed: Set<string> }> {
  return e.db.transaction(async (tx) => {
    const completed = await lockTypes(e, tx, flow, o, done);
    const rows = o.limit > 0 ? await queryRows<Job & { __flowKey: string }>(tx, flowClaimSql(e, o, flow)) : [];
    return { jobs: rows.map(toJob), completed };
  });
}

async function lockTypes(e: Engine, tx: Executor, flow: FlowType[], o: ClaimOptions, done: (Attempt & { result: unknown })[]): Promise<Set<string>> {
  const [row] = await queryRows<{ completed: string[] | null }>(tx, sql`
    ${done.length ? sql`WITH completed AS (${completeSql(e, o.workerId, done, o.now)})` : empty}
    SELECT ${done.length ? sql`(SELECT array_agg(id) FROM completed)` : sql`NULL::text[]`} AS completed,
      (SELECT count(*) FROM (
        SELECT pg_advisory_xact_lock(hashtext(${`${e.t.schema}:flow`}), hashtext(t))
        FROM (SELECT t FROM unnest(${flow.map((f) => f.type)}::text[]) t ORDER BY hashtext(t), t OFFSET 0) s) l) AS locked`);
  return new Set(row?.completed ?? []);
}

function flowClaimSql(e: Engine, o: ClaimOptions, flow: FlowType[]): Sql {
  const now = flowClock(o.now);
  const j = e.t.jobs;
  const period = (alias: string) => raw(`${alias}.period_ms * interval '1 millisecond'`);
  return sql`
    WITH RECURSIVE cfg AS (${flowConfig(e, flow)}),
    -- Per type: what the type-wide limits leave (least() ignores NULL: a limit not set). Each count
    -- stops at the limit: what it costs is bounded by the limit, not by the running jobs or starts.
    tot AS (
      SELECT cfg.*, least(
        cfg.conc - CASE WHEN cfg.conc IS NOT NULL AND NOT cfg.conc_per_key THEN (SELECT count(*) FROM (
          SELECT 1 FROM ${j} r WHERE r.type = cfg.type AND r.status = 'processing' AND r.flow_key IS NOT NULL LIMIT cfg.conc) n) END,
        cfg.rate - CASE WHEN cfg.rate IS NOT NULL AND NOT cfg.rate_per_key THEN (SELECT count(*) FROM (
          SELECT 1 FROM ${e.t.flowStarts} f WHERE f.type = cfg.type AND f.started_at > ${now} - ${period("cfg")} LIMIT cfg.rate) n) END,
        ${o.limit}::bigint) AS allow
      FROM cfg
    ),
    -- The distinct keys with pending jobs: a loose index scan on jobs_flow_claim_idx, one probe per key.
    keys AS (
      (SELECT t.type, k.flow_key FROM tot t CROSS JOIN LATERAL (
         SELECT x.flow_key FROM ${j} x
         WHERE x.type = t.type AND x.status = 'pending' AND NOT x.blocked AND x.flow_key IS NOT NULL
         ORDER BY x.flow_key LIMIT 1) k
       WHERE t.allow > 0)
      UNION ALL
      SELECT k.type, n.flow_key FROM keys k CROSS JOIN LATERAL (
        SELECT x.flow_key FROM ${j} x
        WHERE x.type = k.type AND x.status = 'pending' AND NOT x.blocked AND x.flow_key IS NOT NULL AND x.flow_key > k.flow_key
        ORDER BY x.flow_key LIMIT 1) n
    ),
    -- Running jobs and starts in the window per key, in one pass each over the limited types'
    -- running jobs (at most keys x limit of them) and their recent starts.
    running AS MATERIALIZED (
      SELECT r.type, r.flow_key, count(*) AS n FROM ${j} r JOIN tot t ON t.type = r.type
      WHERE t.conc_per_key AND t.conc IS NOT NULL AND r.status = 'processing' AND r.flow_key IS NOT NULL
      GROUP BY 1, 2
    ),
    started AS MATERIALIZED (
      SELECT f.type, f.flow_key, count(*) AS n FROM ${e.t.flowStarts} f JOIN tot t ON t.type = f.type
      WHERE t.rate_per_key AND t.rate IS NOT NULL AND f.started_at > ${now} - ${period("t")}
      GROUP BY 1, 2
    ),
    -- Per key: what the per-key limits leave, and when the key was last served.
    kallow AS (
      SELECT k.type, k.flow_key, fk.turn, least(t.allow,
        t.conc - CASE WHEN t.conc_per_key THEN coalesce(rn.n, 0) END,
        t.rate - CASE WHEN t.rate_per_key THEN coalesce(st.n, 0) END) AS allow
      FROM keys k JOIN tot t ON t.type = k.type
      LEFT JOIN running rn ON rn.type = k.type AND rn.flow_key = k.flow_key
      LEFT JOIN started st ON st.type = k.type AND st.flow_key = k.flow_key
      LEFT JOIN ${e.t.flowKeys} fk ON fk.type = k.type AND fk.flow_key = k.flow_key
    ),
    -- Each key's first claimable jobs, up to what it may start, in the plain claim's order.
    cand AS (
      SELECT c.id, ka.type, ka.turn, c.priority, c.run_at,
             row_number() OVER (PARTITION BY ka.type, ka.flow_key ORDER BY c.priority, c.run_at, c.id) AS pos
      FROM kallow ka CROSS JOIN LATERAL (
        SELECT x.id, x.priority, x.run_at FROM ${j} x
        WHERE x.type = ka.type AND x.flow_key = ka.flow_key AND x.status = 'pending' AND NOT x.blocked
          AND x.run_at <= ${now} AND x.timeout_ms <= ${Math.floor(o.maxTimeoutMs)}
        ORDER BY x.priority, x.run_at, x.id LIMIT greatest(ka.allow, 0)) c
      WHERE ka.allow > 0
    ),
    -- Round robin: every key's first job before any key's second, the least recently served key
    -- first; priority still comes first. Within each type's type-wide allowance.
    picked AS (
      SELECT r.id FROM (
        SELECT c.*, row_number() OVER (PARTITION BY c.type ORDER BY c.priority, c.pos, c.turn NULLS FIRST, c.run_at, c.id) AS tpos
        FROM cand c) r
      JOIN tot t ON t.type = r.type
      WHERE r.tpos <= t.allow
      ORDER BY r.priority, r.pos, r.turn NULLS FIRST, r.run_at, r.id
      LIMIT ${o.limit}
    ),
    claimed AS (
      UPDATE ${j} j SET ${claimAssignments(o, now)}
      -- Only the picked rows are locked, and a row another transaction holds (a cancel, a debounced
      -- enqueue in an open transaction) is passed over, as the plain claim does: no flow claim waits.
      WHERE j.id = ANY(ARRAY(
        SELECT x.id FROM ${j} x WHERE x.id = ANY(ARRAY(SELECT id FROM picked)) AND x.status = 'pending'
        FOR UPDATE SKIP LOCKED))
      RETURNING ${jobColumns("j")}, j.flow_key AS "__flowKey"
    ),
    turns AS (
      INSERT INTO ${e.t.flowKeys} AS fk (type, flow_key, turn, served_at)
      SELECT s.type, s.flow_key, nextval(${turnSeq(e)}::regclass), ${now}
      FROM (SELECT DISTINCT c.type, c."__flowKey" AS flow_key FROM claimed c ORDER BY 1, 2) s
      ON CONFLICT (type, flow_key) DO UPDATE SET turn = excluded.turn, served_at = excluded.served_at
    ),
    starts AS (
      INSERT INTO ${e.t.flowStarts} (type, flow_key, started_at)
      SELECT c.type, c."__flowKey", ${now} FROM claimed c JOIN tot t ON t.type = c.type WHERE t.rate IS NOT NULL
    )
    SELECT * FROM claimed`;
}

/**
 * Due jobs of limited types still pending whose timeout fits in `maxTimeoutMs` (the others are
 * the report's skippedForBudget) and whose type is not paused: held back by a limit, counted up to `cap`.
 */
export async function countHeldBack(e: Engine, maxTimeoutMs: number, types?: string[], now?: Date, cap = 10_000): Promise<number> {
  const flow = flowTypes(e, types);
  if (!flow.length) return 0;
  const rows = await queryRows<{ n: number }>(e.db, sql`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM ${e.t.jobs}
      WHERE type = ANY(${flow.map((f) => f.type)}::text[]) AND status = 'pending' AND NOT blocked AND flow_key IS NOT NULL
        AND run_at <= ${flowClock(now)} AND timeout_ms <= ${Math.floor(maxTimeoutMs)} ${notPaused(e)}
      LIMIT ${cap}
    ) s`);
  return rows[0]?.n ?? 0;
}
