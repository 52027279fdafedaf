import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { db } from "@/lib/db.ts";
import { dependencies } from "@/lib/dashboard/queries.ts";
import { getJob, isJobId } from "@/lib/jobs/control.ts";
import { cancelAction, retryAction } from "../actions.ts";
import { DashboardOff, Flash, fmtAgo, fmtTime, Json, ModeBar, requirePageAccess, StatusBadge } from "../ui.tsx";

export const dynamic = "force-dynamic";
/** The "run one tick now" action runs in this route: its budget (75 s) must fit. */
export const maxDuration = 90;

type Params = Promise<{ id: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  return { title: `Job #${isJobId(id) ? id : "?"} · cronbound` };
}

/**
 * progress is what the handler reported: a fraction from 0 to 1, or a small object. An object
 * with numeric `done` and `total` is drawn as a bar too; anything else is shown as JSON.
 */
function fraction(progress: unknown): number | null {
  if (typeof progress === "number") return progress;
  if (progress && typeof progress === "object") {
    const p = progress as Record<string, unknown>;
    if (typeof p.done === "number" && typeof p.total === "number" && p.total > 0) return Math.min(1, Math.max(0, p.done / p.total));
  }
  return null;
}

export default async function JobPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { id } = await params;
  const sp = await searchParams;
  const mode = await requirePageAccess(`/jobs/${isJobId(id) ? id : ""}`);
  if (mode === "off") return <DashboardOff />;
  const job = await getJob(db(), id);
  if (!job) notFound();
  const [deps, nowRows] = await Promise.all([
    dependencies(db(), job.dependsOn),
    db().$queryRaw<{ now: Date }[]>`SELECT now() AS now`,
  ]);
  const now = nowRows[0].now;
  const frac = fraction(job.progress);
  const canRetry = job.status === "failed" || job.status === "cancelled";
  const canCancel = job.status === "pending" || job.status === "processing";

  return (
    <section className="dash">
      <ModeBar mode={mode} back={`/jobs/${job.id}`} />
      <Flash done={one(sp.done)} error={one(sp.error)} report={one(sp.report)} />
      <p><a href="/jobs">← all jobs</a></p>
      <h1>
        Job #{job.id} <span className="muted">{job.type}</span> <span data-testid="job-status"><StatusBadge status={job.status} /></span>
      </h1>

      <div className="job-actions">
        {canRetry && (
          <form action={retryAction}>
            <input type="hidden" name="id" value={job.id} />
            <button type="submit" data-testid="retry">Retry</button>
          </form>
        )}
        {canCancel && (
          <form action={cancelAction}>
            <input type="hidden" name="id" value={job.id} />
            <button type="submit" className="danger" data-testid="cancel">Cancel</button>
          </form>
        )}
      </div>

      {(frac !== null || job.status === "processing") && (
        <div className="progress" data-testid="progress">
          <div className="progress-bar" style={{ width: `${Math.round((frac ?? 0) * 100)}%` }} />
          <span>{frac === null ? "no progress reported" : `${Math.round(frac * 100)} %`}</span>
        </div>
      )}

      <table className="facts">
        <tbody>
          <tr><th>attempts</th><td data-testid="attempts">{job.attempts} of {job.maxAttempts}</td></tr>
          <tr><th>priority</th><td>{job.priority}</td></tr>
          <tr><th>timeout</th><td>{job.timeoutMs.toLocaleString("en-US")} ms</td></tr>
          <tr><th>created</th><td>{fmtTime(job.createdAt)} <span className="muted">{fmtAgo(job.createdAt, now)}</span></td></tr>
          <tr><th>run at</th><td>{fmtTime(job.runAt)} <span className="muted">{fmtAgo(job.runAt, now)}</span></td></tr>
          <tr><th>started</th><td>{fmtTime(job.startedAt)} <span className="muted">{fmtAgo(job.startedAt, now)}</span></td></tr>
          <tr><th>finished</th><td>{fmtTime(job.finishedAt)} <span className="muted">{fmtAgo(job.finishedAt, now)}</span></td></tr>
          <tr><th>updated</th><td>{fmtTime(job.updatedAt)}</td></tr>
          {job.lockedBy && (
            <tr><th>lease</th><td>{job.lockedBy} until {fmtTime(job.lockedUntil)}</td></tr>
          )}
          {job.idempotencyKey && <tr><th>idempotency key</th><td><code>{job.idempotencyKey}</code></td></tr>}
          {job.lastError && <tr><th>last error</th><td className="err" data-testid="last-error">{job.lastError}</td></tr>}
        </tbody>
      </table>

      <h2>Dependencies</h2>
      {job.dependsOn.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <>
          {job.blocked && <p className="muted">Waiting until every dependency completes.</p>}
          <ul data-testid="dependencies">
            {job.dependsOn.map((d) => {
              const dep = deps.find((x) => x.id === d);
              return (
                <li key={d}>
                  <a href={`/jobs/${d}`}>#{d}</a> {dep ? <>{dep.type} <StatusBadge status={dep.status} /></> : <span className="muted">(pruned)</span>}
                </li>
              );
            })}
          </ul>
        </>
      )}

      <h2>Attempts that failed</h2>
      {job.errors.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table data-testid="errors">
          <thead><tr><th>attempt</th><th>at</th><th>error</th></tr></thead>
          <tbody>
            {job.errors.map((e, i) => (
              <tr key={i}>
                <td className="num">{e.attempt}</td>
                <td>{fmtTime(e.at)}</td>
                <td className="err">{e.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Payload</h2>
      <Json value={job.payload} testId="payload" />
      <h2>Result</h2>
      <Json value={job.result} testId="result" />
      {job.progress !== null && frac === null && (
        <>
          <h2>Progress</h2>
          <Json value={job.progress} />
        </>
      )}
    </section>
  );
}
