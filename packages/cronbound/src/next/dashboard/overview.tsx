import type { Engine } from "../../engine/context.ts";
import { getStats } from "../../engine/stats.ts";
import { JOB_STATUSES } from "../../engine/types.ts";
import { ThroughputChart } from "./chart.tsx";
import { listFilterSchema, listJobs, recentFailures } from "./queries.ts";
import { Schedules } from "./schedules.tsx";
import { BulkPanel, ExtraFilterFields, incidentConditions, incidentFilter, incidentParams, IncidentFlash, SearchBox } from "./incidents.tsx";
import { LimitsSection } from "./limits.tsx";
import { LiveRefresh } from "./live.tsx";
import { Card, Flash, fmtAgo, fmtDuration, fmtTime, ModeBar, StatusBadge, type ViewContext } from "./ui.tsx";

export type Search = Record<string, string | string[] | undefined>;
export const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The filters of the list as they appear in this page's URL. */
export function overviewHref(base: string, sp: Search): string {
  const filter = listFilterSchema.parse({ status: one(sp.status), type: one(sp.type), before: one(sp.before) });
  return `${base}${query(filter)}`;
}

/** The overview: counts, the last hour, failures, schedules, and every job (filtered, paged). */
export async function Overview({ e, v, sp }: { e: Engine; v: ViewContext; sp: Search }) {
  const filter = listFilterSchema.parse({ status: one(sp.status), type: one(sp.type), before: one(sp.before) });
  // Incident tools (incidents.tsx): more filters for the list, the same filter for bulk actions.
  const incident = incidentFilter(sp);
  const extra = incidentParams(incident.filter);
  const here = `${v.base}${query({ ...filter, ...extra })}`;
  const base = v.base;
  const [stats, page, failures] = await Promise.all([getStats(e), listJobs(e, filter, undefined, incidentConditions(e, incident.filter)), recentFailures(e)]);
  const now = new Date(stats.now);
  const types = Object.keys(stats.byType).sort();
  if (filter.type && !types.includes(filter.type)) types.push(filter.type);
  const lastHour = stats.perMinute.reduce((a, m) => ({ c: a.c + m.completed, f: a.f + m.failed }), { c: 0, f: 0 });

  return (
    <section className="dash">
      <ModeBar v={v} back={here} />
      <Flash done={one(sp.done)} error={one(sp.error)} report={one(sp.report)} />
      <IncidentFlash sp={sp} />
      <h1>Jobs</h1>
      <div className="dash-bar"><SearchBox base={base} /><LiveRefresh /></div>

      <div className="cards" data-testid="counts">
        {JOB_STATUSES.map((s) => (
          <Card key={s} label={s} value={stats.counts[s].toLocaleString("en-US")} testId={`count-${s}`} href={`${base}?status=${s}#list`} tone={`s-${s}`} />
        ))}
      </div>
      <div className="cards small">
        <Card label="oldest pending job waiting" value={stats.oldestPendingAgeSeconds > 0 ? fmtDuration(stats.oldestPendingAgeSeconds) : "none"} testId="oldest-pending" />
        <Card label="failure rate, last hour" value={stats.failureRate === null ? "—" : `${(stats.failureRate * 100).toFixed(1)} %`} testId="failure-rate" />
        <Card label="scheduled for later" value={stats.scheduled.toLocaleString("en-US")} testId="count-scheduled" />
        <Card label="waiting on dependencies" value={stats.blocked.toLocaleString("en-US")} testId="count-blocked" />
      </div>

      <h2>Finished per minute, last hour</h2>
      <p className="muted">
        <span className="key ok" /> completed {lastHour.c.toLocaleString("en-US")} · <span className="key bad" /> failed{" "}
        {lastHour.f.toLocaleString("en-US")}
      </p>
      <ThroughputChart series={stats.perMinute} />

      <h2>By type</h2>
      {types.length === 0 ? (
        <p className="muted">No jobs yet.</p>
      ) : (
        <table data-testid="by-type">
          <thead>
            <tr>
              <th>type</th>
              {JOB_STATUSES.map((s) => <th key={s} className="num">{s}</th>)}
            </tr>
          </thead>
          <tbody>
            {types.filter((t) => stats.byType[t]).map((t) => (
              <tr key={t} data-type={t}>
                <td>
                  <a href={`${base}?type=${encodeURIComponent(t)}#list`}>{t}</a>{" "}
                  <a href={`${base}/types/${encodeURIComponent(t)}`} className="muted" data-testid={`type-view-${t}`}>
                    {stats.paused.some((p) => p.type === t) ? <span className="badge s-cancelled">paused</span> : "details"}
                  </a>
                </td>
                {JOB_STATUSES.map((s) => (
                  <td key={s} className="num" data-status={s}>{stats.byType[t][s].toLocaleString("en-US")}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <LimitsSection flow={stats.flow} base={base} v={v} />

      <h2>Recent failures</h2>
      {failures.length === 0 ? (
        <p className="muted">No failed jobs.</p>
      ) : (
        <table data-testid="recent-failures">
          <thead>
            <tr><th>job</th><th>type</th><th>attempts</th><th>failed</th><th>last error</th></tr>
          </thead>
          <tbody>
            {failures.map((f) => (
              <tr key={f.id}>
                <td><a href={`${base}/${f.id}`}>#{f.id}</a></td>
                <td>{f.type}</td>
                <td className="num">{f.attempts}</td>
                <td title={fmtTime(f.finishedAt)}>{fmtAgo(f.finishedAt, now)}</td>
                <td className="err">{f.lastError}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <Schedules e={e} base={base} now={now} />

      <h2 id="list">All jobs</h2>
      <form method="get" action={`${base}#list`} className="filters" data-testid="filters">
        <label>
          status{" "}
          <select name="status" defaultValue={filter.status ?? ""}>
            <option value="">any</option>
            {JOB_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>
          type{" "}
          <select name="type" defaultValue={filter.type ?? ""}>
            <option value="">any</option>
            {types.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
        </label>
        <ExtraFilterFields f={incident.filter} ignored={incident.ignored} />
        <button type="submit" className="secondary">Filter</button>
        {(filter.status || filter.type || Object.keys(extra).length > 0) && <a href={`${base}#list`}>clear</a>}
      </form>
      <BulkPanel e={e} v={v} f={{ ...incident.filter, status: filter.status, type: filter.type }} here={here} confirm={one(sp.confirm)} />
      {page.jobs.length === 0 ? (
        <p className="muted" data-testid="job-list-empty">No jobs match.</p>
      ) : (
        <table data-testid="job-list">
          <thead>
            <tr><th>job</th><th>type</th><th>status</th><th>attempts</th><th>created</th><th>finished</th><th>last error</th></tr>
          </thead>
          <tbody>
            {page.jobs.map((j) => (
              <tr key={j.id} data-job-id={j.id}>
                <td><a href={`${base}/${j.id}`}>#{j.id}</a></td>
                <td>{j.type}</td>
                <td><StatusBadge status={j.status} /></td>
                <td className="num">{j.attempts}/{j.maxAttempts}</td>
                <td title={fmtTime(j.createdAt)}>{fmtAgo(j.createdAt, now)}</td>
                <td title={fmtTime(j.finishedAt)}>{fmtAgo(j.finishedAt, now)}</td>
                <td className="err">{j.lastError}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager">
        {filter.before && <a href={`${base}${query({ ...filter, ...extra, before: undefined })}#list`}>« newest</a>}
        {page.nextBefore && (
          <a href={`${base}${query({ ...filter, ...extra, before: page.nextBefore })}#list`} data-testid="older">older »</a>
        )}
      </nav>
    </section>
  );
}

function query(f: { status?: string; type?: string; before?: string; from?: string; to?: string; text?: string }): string {
  const q = new URLSearchParams();
  if (f.status) q.set("status", f.status);
  if (f.type) q.set("type", f.type);
  for (const k of ["from", "to", "text"] as const) if (f[k]) q.set(k, f[k] as string);
  if (f.before) q.set("before", f.before);
  const s = q.toString();
  return s ? `?${s}` : "";
}
