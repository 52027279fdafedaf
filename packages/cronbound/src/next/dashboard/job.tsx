import { notFound } from "next/navigation";
import { getJob } from "../../engine/control.ts";
import type { Engine } from "../../engine/context.ts";
import { dbNow, dependencies } from "./queries.ts";
import { one, type Search } from "./overview.tsx";
import { StepsPanel } from "./steps.tsx";
import { ActionForm, Flash, fmtAgo, fmtTime, Json, ModeBar, StatusBadge, type ViewContext } from "./ui.tsx";
import { LiveRefresh } from "./live.tsx";

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

/** One job: its facts, dependencies, failed attempts, payload and result, with Retry and Cancel. */
export async function JobView({ e, v, id, sp }: { e: Engine; v: ViewContext; id: string; sp: Search }) {
  const job = await getJob(e, id);
  if (!job) notFound();
  const [deps, now] = await Promise.all([dependencies(e, job.dependsOn), dbNow(e)]);
  const base = v.base;
  const frac = fraction(job.progress);
  const canRetry = job.status === "failed" || job.status === "cancelled";
  const canCancel = job.status === "pending" || job.status === "processing";

  return (
    <section className="dash">
      <ModeBar v={v} back={`${base}/${job.id}`} />
      <Flash done={one(sp.done)} error={one(sp.error)} report={one(sp.report)} />
      <p className="dash-bar"><a href={base}>← all jobs</a> <LiveRefresh /></p>
      <h1>
        Job #{job.id} <span className="muted">{job.type}</span> <span data-testid="job-status"><StatusBadge status={job.status} /></span>
      </h1>

      <div className="job-actions">
        {canRetry && (
          <ActionForm v={v} intent="retry" fields={{ id: job.id }}>
            <button type="submit" data-testid="retry">Retry</button>
          </ActionForm>
        )}
        {canCancel && (
          <ActionForm v={v} intent="cancel" fields={{ id: job.id }}>
            <button type="submit" className="danger" data-testid="cancel">Cancel</button>
          </ActionForm>
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
          {job.traceparent && <tr><th>trace</th><td><code data-testid="trace-id">{job.traceparent.split("-")[1]}</code> <span className="muted">(enqueued in this OpenTelemetry trace)</span></td></tr>}
          {job.lastError && <tr><th>last error</th><td className="err" data-testid="last-error">{job.lastError}</td></tr>}
        </tbody>
      </table>

      <StepsPanel e={e} job={job} now={now} base={base} />

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
                  <a href={`${base}/${d}`}>#{d}</a> {dep ? <>{dep.type} <StatusBadge status={dep.status} /></> : <span className="muted">(pruned)</span>}
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
