import { queryRows } from "../db.ts";
import { sql } from "../sql.ts";
import { BUCKETS_MS, INF, OUTCOME_NAME } from "./attempt-metrics.ts";
import type { Engine } from "./context.ts";
import { flowTypes } from "./flow/claim.ts";
import { typeLimits } from "./flow/settings.ts";
import { pausedTypes } from "./pause.ts";

// GET /api/jobs/metrics: the Prometheus text exposition format (version 0.0.4), built from
// queries whose cost follows the live and dead jobs, never the completed ones, and from the
// attempt counters the ticks keep (attempt-metrics.ts). Measured with 1,000,000 completed rows
// (tests/flows/metrics-scale.test.ts prints the numbers; docs/OBSERVABILITY.md has them).
//
//   cronbound_jobs{type,status}                    gauge      pending, processing, failed, cancelled
//   cronbound_oldest_pending_age_seconds{type}     gauge      the oldest due, unblocked pending job
//   cronbound_type_paused{type}                    gauge      1 while the type is paused
//   cronbound_jobs_held_back{type}                 gauge      limited types only: due jobs a limit keeps pending
//   cronbound_type_concurrency_limit{type}         gauge      limited types only: the concurrency limit claims apply
//   cronbound_job_attempts_total{type,outcome}     counter    attempts settled by ticks: completed, retried, failed, released, cancelled, lost, continued, waiting
//   cronbound_job_wait_seconds{type}               histogram  due (run_at) to claimed, per attempt
//   cronbound_job_run_seconds{type}                histogram  start to settled, per attempt
//
// Completed jobs are not counted per scrape: that count reads every completed row's index
// entry (about 90 ms at 1M rows, and growing with retention); their rate is
// rate(cronbound_job_attempts_total{outcome="completed"}[5m]).

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface Sample {
  labels: Record<string, string>;
  value: number;
  /** Appended to the family name: _bucket, _sum, _count. */
  suffix?: string;
}

interface Family {
  name: string;
  help: string;
  type: "gauge" | "counter" | "histogram";
  samples: Sample[];
}

const LIVE_STATUSES = ["pending", "processing", "failed", "cancelled"] as const;

/** Every metric family, in exposition order. */
export async function collectMetrics(e: Engine): Promise<Family[]> {
  const [counts, oldest, paused, attempts, flow] = await Promise.all([
    // jobs_status_type_idx (status, type): an index-only scan of these four statuses' ranges only.
    queryRows<{ type: string; status: string; n: number }>(e.db, sql`
      SELECT type, status::text AS status, count(*)::int AS n FROM ${e.t.jobs}
      WHERE status = ANY(${LIVE_STATUSES}::${e.t.status}[]) GROUP BY status, type`),
    // The pending backlog only (jobs_status_type_idx's `pending` range; jobs_claim_idx holds only
    // jobs without a flow key since migration 0004).
    queryRows<{ type: string; age: number }>(e.db, sql`
      SELECT type, extract(epoch FROM now() - min(run_at))::float8 AS age FROM ${e.t.jobs}
      WHERE status = 'pending' AND NOT blocked AND run_at <= now() GROUP BY type`),
    pausedTypes(e),
    // At most ~120 minutes x types x series rows (attempt-metrics.ts folds older minutes).
    queryRows<{ type: string; series: string; key: string; value: number }>(e.db, sql`
      SELECT type, series, key, sum(value)::float8 AS value FROM ${e.t.attemptMetrics} GROUP BY type, series, key`),
    flowMetrics(e),
  ]);

  const known = e.registry.names();
  const types = [...new Set([...known, ...counts.map((c) => c.type), ...paused.map((p) => p.type), ...attempts.map((a) => a.type)])].sort();
  const countOf = new Map(counts.map((c) => [`${c.type}\u0000${c.status}`, c.n]));
  const ageOf = new Map(oldest.map((o) => [o.type, o.age]));
  const pausedSet = new Set(paused.map((p) => p.type));
  const att = new Map(attempts.map((a) => [`${a.type}\u0000${a.series}\u0000${a.key}`, a.value]));
  const a = (type: string, series: string, key: string) => att.get(`${type}\u0000${series}\u0000${key}`) ?? 0;

  const families: Family[] = [
    {
      name: "cronbound_jobs",
      help: "Jobs in the table by type and status (pending, processing, failed, cancelled; completed jobs are counted by cronbound_job_attempts_total).",
      type: "gauge",
      samples: types.flatMap((type) => LIVE_STATUSES.map((status) => ({ labels: { type, status }, value: countOf.get(`${type}\u0000${status}`) ?? 0 }))),
    },
    {
      name: "cronbound_oldest_pending_age_seconds",
      help: "Seconds since the oldest due, unblocked pending job of the type became due; 0 when none waits.",
      type: "gauge",
      samples: types.map((type) => ({ labels: { type }, value: Math.max(0, Math.round((ageOf.get(type) ?? 0) * 1000) / 1000) })),
    },
    {
      name: "cronbound_type_paused",
      help: "1 while the job type is paused (no claim takes its jobs), else 0.",
      type: "gauge",
      samples: types.map((type) => ({ labels: { type }, value: pausedSet.has(type) ? 1 : 0 })),
    },
    // Flow control (docs/FLOW-CONTROL.md): only when some type declares a limit.
    ...flowFamilies(flow),
    {
      name: "cronbound_job_attempts_total",
      help: "Attempts settled by ticks, by type and outcome (completed, retried, failed, released, cancelled while running, lost lease, continued or waiting: a durable job's slice ended before the job).",
      type: "counter",
      samples: types.flatMap((type) => Object.values(OUTCOME_NAME).map((outcome) => ({ labels: { type, outcome }, value: a(type, "outcome", outcome) }))),
    },
    histogram("cronbound_job_wait_seconds", "Per attempt: from when the job was due (run_at) to its claim, seconds.", types, "wait", a),
    histogram("cronbound_job_run_seconds", "Per attempt: from the handler's start to the attempt's settled outcome, seconds.", types, "run", a),
  ];
  return families;
}

/**
 * Limited types' held-back counts (jobs_flow_claim_idx: the limited backlog's own entries, due
 * ones) and their concurrency limits as claims apply them (code or override). Nothing without
 * limited types.
 */
async function flowMetrics(e: Engine): Promise<{ type: string; heldBack: number; concurrency: number | null }[]> {
  const flow = flowTypes(e);
  if (!flow.length) return [];
  const [held, limits] = await Promise.all([
    queryRows<{ type: string; n: number }>(e.db, sql`
      SELECT type, count(*)::int AS n FROM ${e.t.jobs}
      WHERE type = ANY(${flow.map((f) => f.type)}::text[]) AND status = 'pending' AND NOT blocked AND flow_key IS NOT NULL AND run_at <= now()
      GROUP BY type`),
    typeLimits(e),
  ]);
  const heldOf = new Map(held.map((h) => [h.type, h.n]));
  return limits.map((l) => ({ type: l.type, heldBack: heldOf.get(l.type) ?? 0, concurrency: l.concurrency?.limit ?? null }));
}

function flowFamilies(flow: { type: string; heldBack: number; concurrency: number | null }[]): Family[] {
  if (!flow.length) return [];
  return [
    {
      name: "cronbound_jobs_held_back",
      help: "Due pending jobs of a type with a concurrency or rate limit: what the limits (or a pause) keep from starting.",
      type: "gauge",
      samples: flow.map((f) => ({ labels: { type: f.type }, value: f.heldBack })),
    },
    {
      name: "cronbound_type_concurrency_limit",
      help: "The concurrency limit claims apply to the type (per key when the type has a key), from its code or a runtime override.",
      type: "gauge",
      samples: flow.filter((f) => f.concurrency !== null).map((f) => ({ labels: { type: f.type }, value: f.concurrency! })),
    },
  ];
}

function histogram(name: string, help: string, types: string[], series: string, a: (t: string, s: string, k: string) => number): Family {
  const samples: Sample[] = [];
  for (const type of types) {
    let cumulative = 0;
    for (const b of BUCKETS_MS) {
      cumulative += a(type, series, String(b));
      samples.push({ suffix: "_bucket", labels: { type, le: String(b / 1000) }, value: cumulative });
    }
    cumulative += a(type, series, INF);
    samples.push({ suffix: "_bucket", labels: { type, le: "+Inf" }, value: cumulative });
    samples.push({ suffix: "_sum", labels: { type }, value: a(type, `${series}_sum`, "") / 1000 });
    samples.push({ suffix: "_count", labels: { type }, value: cumulative });
  }
  return { name, help, type: "histogram", samples };
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** Families as Prometheus text exposition format 0.0.4. */
export function renderPrometheus(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
      out.push(`${f.name}${s.suffix ?? ""}${labels ? `{${labels}}` : ""} ${formatValue(s.value)}`);
    }
  }
  return `${out.join("\n")}\n`;
}

export async function prometheusMetrics(e: Engine): Promise<string> {
  return renderPrometheus(await collectMetrics(e));
}
