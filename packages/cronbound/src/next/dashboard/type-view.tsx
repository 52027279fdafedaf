import { notFound } from "next/navigation";
import { attemptWindow, type Percentiles } from "../../engine/attempt-metrics.ts";
import type { Engine } from "../../engine/context.ts";
import { pausedTypes } from "../../engine/pause.ts";
import { getStats } from "../../engine/stats.ts";
import { JOB_STATUSES } from "../../engine/types.ts";
import { IncidentFlash } from "./incidents.tsx";
import { describeLimits, LimitForm, limitSource } from "./limits.tsx";
import { LiveRefresh } from "./live.tsx";
import { ActionForm, Flash, fmtAgo, fmtTime, ModeBar, type ViewContext } from "./ui.tsx";

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const ms = (v: number | null, open: boolean) => {
  if (v === null) return "—";
  const text = v >= 10_000 ? `${(v / 1000).toFixed(0)} s` : v >= 1_000 ? `${(v / 1000).toFixed(1)} s` : `${v} ms`;
  return open ? `≥ ${text}` : `≈ ${text}`;
};

function Row({ label, p, testId }: { label: string; p: Percentiles; testId: string }) {
  return (
    <tr data-testid={testId}>
      <th>{label}</th>
      <td className="num" data-testid={`${testId}-count`}>{p.count.toLocaleString("en-US")}</td>
      <td className="num" data-testid={`${testId}-p50`}>{ms(p.p50, p.open && p.p50 === p.p99)}</td>
      <td className="num" data-testid={`${testId}-p90`}>{ms(p.p90, p.open && p.p90 === p.p99)}</td>
      <td className="num" data-testid={`${testId}-p99`}>{ms(p.p99, p.open)}</td>
    </tr>
  );
}

/**
 * /jobs/types/{type}: one job type. Its counts per status, whether it is paused (with Pause and
 * Resume), and its attempts over the last hour: outcomes, and wait (due to claimed) and run
 * (start to settled) percentiles estimated from the per-minute histograms the ticks keep
 * (cronbound.attempt_metrics; exact to the bucket: 1, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5,
 * 5, 10, 30 s, 1, 5, 15, 60 min). Known types only: the registry's, or one with jobs.
 */
export async function TypeView({ e, v, type, sp }: { e: Engine; v: ViewContext; type: string; sp: Search }) {
  const [stats, paused, window] = await Promise.all([getStats(e), pausedTypes(e), attemptWindow(e, type, 60)]);
  const counts = stats.byType[type];
  if (!e.registry.get(type) && !counts) notFound();
  const p = paused.find((x) => x.type === type);
  const flow = stats.flow.find((f) => f.type === type);
  const now = new Date(stats.now);
  const base = v.base;
  const here = `${base}/types/${encodeURIComponent(type)}`;
  return (
    <section className="dash">
      <ModeBar v={v} back={here} />
      <LiveRefresh />
      <Flash done={one(sp.done)} error={one(sp.error)} report={one(sp.report)} />
      <IncidentFlash sp={sp} />
      <p><a href={base}>← all jobs</a></p>
      <h1>
        {type} {p ? <span className="badge s-cancelled" data-testid="type-paused">paused</span> : <span className="badge s-completed" data-testid="type-running">running</span>}
      </h1>
      {!e.registry.get(type) && <p className="notice">This app does not define this type: its jobs fail when claimed.</p>}
      {p && (
        <p className="notice" data-testid="paused-since">
          Paused {fmtAgo(p.pausedAt, now)} ({fmtTime(p.pausedAt)}){p.reason ? `: ${p.reason}` : ""}. No tick claims its jobs;{" "}
          {(counts?.pending ?? 0).toLocaleString("en-US")} pending wait.
        </p>
      )}
      <div className="job-actions">
        {p ? (
          <ActionForm v={v} intent="resume" fields={{ type, back: here }}>
            <button type="submit" data-testid="resume">Resume</button>
          </ActionForm>
        ) : (
          e.registry.get(type) && (
            <ActionForm v={v} intent="pause" fields={{ type, back: here }} className="filters">
              <input type="text" name="reason" maxLength={500} placeholder="reason (optional)" aria-label="reason" />
              <button type="submit" className="danger" data-testid="pause">Pause</button>
            </ActionForm>
          )
        )}
        <a href={`${base}?type=${encodeURIComponent(type)}#list`}>its jobs</a>
      </div>

      {flow && (
        <>
          <h2>Limits</h2>
          <p data-testid="type-limits">
            {describeLimits(flow)} <span className="muted">(set by <span data-testid="type-limits-source">{limitSource(flow)}</span>)</span>
          </p>
          <LimitForm v={v} f={flow} back={here} />
        </>
      )}

      <h2>Now</h2>
      <table data-testid="type-counts">
        <thead><tr>{JOB_STATUSES.map((s) => <th key={s} className="num">{s}</th>)}</tr></thead>
        <tbody><tr>{JOB_STATUSES.map((s) => <td key={s} className="num" data-status={s}>{(counts?.[s] ?? 0).toLocaleString("en-US")}</td>)}</tr></tbody>
      </table>

      <h2>Attempts, last hour</h2>
      <p className="muted" data-testid="type-outcomes">
        {Object.keys(window.outcomes).length === 0
          ? "No attempt settled in the last hour."
          : Object.entries(window.outcomes).sort().map(([k, n]) => `${k} ${n.toLocaleString("en-US")}`).join(" · ")}
      </p>
      <table data-testid="percentiles">
        <thead><tr><th /><th className="num">attempts</th><th className="num">p50</th><th className="num">p90</th><th className="num">p99</th></tr></thead>
        <tbody>
          <Row label="wait (due → claimed)" p={window.wait} testId="wait" />
          <Row label="run (start → settled)" p={window.run} testId="run" />
        </tbody>
      </table>
    </section>
  );
}
