// queue.metrics() (what GET /api/jobs/metrics serves) after a known workload, parsed by the
// official Prometheus client's text-format parser, against the database's own counts.
import { beforeAll, describe, expect, it } from "vitest";
import { foldOldMinutes, engineOf } from "cronbound/engine";
import { EFFECTS_SQL, testRegistry } from "../helpers/registry.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { parsePrometheus, sample, type PromFamily } from "../helpers/prometheus.ts";

const t = useTestDatabase();
let families: PromFamily[];
let text: string;

beforeAll(async () => {
  await t.sql(EFFECTS_SQL);
  const q = t.queue(testRegistry);
  // The workload: 30 noop complete; 4 failing fail for good, 6 fail once and wait 60 s to retry;
  // 5 work jobs wait behind a pause; 3 noop are due later; 2 cancelled.
  await q.enqueueMany(Array.from({ length: 30 }, (_, n) => ({ type: "noop", payload: { n } })));
  await q.enqueueMany(Array.from({ length: 4 }, () => ({ type: "failing", payload: { permanent: true } })));
  await q.enqueueMany(Array.from({ length: 6 }, () => ({ type: "failing", payload: {} })));
  await q.pause("work", { reason: "metrics test" });
  await q.enqueueMany(Array.from({ length: 5 }, () => ({ type: "work", payload: { ms: 0 } })));
  const later = await q.enqueueMany(Array.from({ length: 3 }, (_, n) => ({ type: "noop", payload: { n }, options: { delayMs: 3_600_000 } })));
  for (const id of later.slice(0, 2)) await q.cancelJob(id);
  // The paused backlog has waited 100 s.
  await t.sql("UPDATE jobs SET run_at = now() - interval '100 seconds', created_at = now() - interval '100 seconds' WHERE type = 'work'");
  const report = await q.runTick({ budgetMs: 20_000, concurrency: 8 });
  expect(report).toMatchObject({ completed: 30, failed: 4, retried: 6 });
  text = await q.metrics();
  families = parsePrometheus(text);
});

describe("queue.metrics() in the Prometheus text format", () => {
  it("parses, with HELP and TYPE for every family", () => {
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ["cronbound_jobs", "gauge"],
      ["cronbound_oldest_pending_age_seconds", "gauge"],
      ["cronbound_type_paused", "gauge"],
      ["cronbound_job_attempts", "counter"], // the parser names counters without _total
      ["cronbound_job_wait_seconds", "histogram"],
      ["cronbound_job_run_seconds", "histogram"],
    ]);
    for (const f of families) expect(f.help.length, f.name).toBeGreaterThan(10);
    expect(text.endsWith("\n")).toBe(true);
  });

  it("cronbound_jobs agrees with the table for every type and live status", async () => {
    const rows = await t.sql<{ type: string; status: string; n: number }>(
      "SELECT type, status::text AS status, count(*)::int AS n FROM jobs WHERE status <> 'completed' GROUP BY 1, 2",
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    for (const r of rows) expect(sample(families, "cronbound_jobs", { type: r.type, status: r.status }), `${r.type} ${r.status}`).toBe(r.n);
    expect(sample(families, "cronbound_jobs", { type: "noop", status: "pending" })).toBe(1);
    expect(sample(families, "cronbound_jobs", { type: "noop", status: "cancelled" })).toBe(2);
    expect(sample(families, "cronbound_jobs", { type: "work", status: "pending" })).toBe(5);
    expect(sample(families, "cronbound_jobs", { type: "failing", status: "failed" })).toBe(4);
    expect(sample(families, "cronbound_jobs", { type: "failing", status: "pending" })).toBe(6);
    // A type with no jobs is still listed, at 0; completed is not a status of this gauge.
    expect(sample(families, "cronbound_jobs", { type: "stubborn", status: "pending" })).toBe(0);
    expect(sample(families, "cronbound_jobs", { type: "noop", status: "completed" })).toBeUndefined();
  });

  it("the oldest due pending job's age per type, and the paused type", () => {
    expect(sample(families, "cronbound_oldest_pending_age_seconds", { type: "work" })).toBeGreaterThanOrEqual(100);
    expect(sample(families, "cronbound_oldest_pending_age_seconds", { type: "work" })).toBeLessThan(160);
    // noop's only pending job is due in an hour: nothing due waits.
    expect(sample(families, "cronbound_oldest_pending_age_seconds", { type: "noop" })).toBe(0);
    expect(sample(families, "cronbound_type_paused", { type: "work" })).toBe(1);
    expect(sample(families, "cronbound_type_paused", { type: "noop" })).toBe(0);
  });

  it("attempt totals by outcome, and histograms whose counts agree with them", async () => {
    const total = (type: string, outcome: string) => sample(families, "cronbound_job_attempts_total", { type, outcome });
    expect(total("noop", "completed")).toBe(30);
    expect(total("failing", "failed")).toBe(4);
    expect(total("failing", "retried")).toBe(6);
    expect(total("failing", "completed")).toBe(0);
    expect(total("work", "completed")).toBe(0);
    for (const [type, n] of [["noop", 30], ["failing", 10]] as const) {
      for (const h of ["cronbound_job_wait_seconds", "cronbound_job_run_seconds"]) {
        expect(sample(families, `${h}_count`, { type }), `${h} ${type}`).toBe(n);
        expect(sample(families, `${h}_bucket`, { type, le: "+Inf" })).toBe(n);
        const buckets = families.find((f) => f.name === h)!.samples.filter((s) => s.name === `${h}_bucket` && s.labels.type === type);
        const values = buckets.map((b) => b.value);
        expect(values, "cumulative").toEqual([...values].sort((a, b) => a - b));
        expect(buckets.map((b) => b.labels.le).slice(0, 3)).toEqual(["0.001", "0.005", "0.01"]);
      }
    }
    // The wait histogram's sum is the sum of due-to-claim times, which the rows hold (first attempts: started_at = locked_at).
    const [db] = await t.sql<{ s: number }>("SELECT sum(extract(epoch FROM started_at - run_at))::float8 AS s FROM jobs WHERE type = 'noop' AND status = 'completed'");
    expect(sample(families, "cronbound_job_wait_seconds_sum", { type: "noop" })).toBeCloseTo(db.s, 2);
  });

  it("folding minutes out of the window leaves every total unchanged", async () => {
    const e = engineOf(t.queue(testRegistry));
    const [before] = await t.sql<{ rows: number }>("SELECT count(*)::int AS rows FROM attempt_metrics WHERE minute > '-infinity'");
    expect(before.rows).toBeGreaterThan(0);
    expect(await foldOldMinutes(e, new Date(Date.now() + 3 * 3_600_000))).toBe(before.rows);
    expect(await t.sql("SELECT 1 FROM attempt_metrics WHERE minute > '-infinity'")).toEqual([]);
    const after = parsePrometheus(await t.queue(testRegistry).metrics());
    for (const name of ["cronbound_job_attempts_total", "cronbound_job_wait_seconds_count", "cronbound_job_run_seconds_sum"]) {
      for (const type of ["noop", "failing"]) {
        const labels: Record<string, string> = name.endsWith("_total") ? { type, outcome: type === "noop" ? "completed" : "retried" } : { type };
        expect(sample(after, name, labels), `${name} ${type}`).toBe(sample(families, name, labels));
      }
    }
    // A second fold finds nothing, and a tick adds to the folded totals.
    expect(await foldOldMinutes(e, new Date(Date.now() + 3 * 3_600_000))).toBe(0);
    const q = t.queue(testRegistry);
    await q.enqueue("noop", {});
    await q.runTick({ budgetMs: 10_000, skipMaintenance: true });
    expect(sample(parsePrometheus(await q.metrics()), "cronbound_job_attempts_total", { type: "noop", outcome: "completed" })).toBe(31);
  });
});
