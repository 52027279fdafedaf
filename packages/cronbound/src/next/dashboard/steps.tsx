import type { Engine } from "../../engine/context.ts";
import { listSteps, type StepRow } from "../../engine/steps/view.ts";
import type { Job } from "../../engine/types.ts";
import { fmtAgo, fmtDuration, fmtTime, StatusBadge } from "./ui.tsx";

function bytes(n: number | null): string {
  if (n === null) return "—";
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}

function duration(s: StepRow): string {
  if (s.durationMs !== null) return s.durationMs < 1000 ? `${s.durationMs} ms` : `${(s.durationMs / 1000).toFixed(1)} s`;
  // A wait: how long it waited.
  if (s.finishedAt) return fmtDuration((new Date(s.finishedAt).getTime() - new Date(s.createdAt).getTime()) / 1000);
  return "—";
}

/** What one wait in progress waits on, and until when. */
function WaitLine({ s, now, base }: { s: StepRow; now: Date; base: string }) {
  const until = <>{fmtTime(s.wakeAt)} <span className="muted">{fmtAgo(s.wakeAt, now)}</span></>;
  if (s.kind === "sleep") return <>sleeping (<code>{s.id}</code>) until {until}</>;
  if (s.kind === "event") {
    return (
      <>
        waiting for event <code>{s.event}</code>
        {s.match !== null && s.match !== undefined ? <> matching <code>{JSON.stringify(s.match)}</code></> : null} (<code>{s.id}</code>) until {until}, then
        resumes with null
      </>
    );
  }
  return (
    <>
      waiting for job <a href={`${base}/${s.childId}`}>#{s.childId}</a> {s.childType ?? ""}{" "}
      {s.childStatus ? <StatusBadge status={s.childStatus} /> : <span className="muted">(pruned)</span>} (<code>{s.id}</code>); looks again at {until}
    </>
  );
}

function Detail({ s, base, finished }: { s: StepRow; base: string; finished: boolean }) {
  if (s.status === "failed" && s.error) return <>{s.error}</>;
  if (s.kind === "event") {
    if (s.status === "waiting") return <>event <code>{s.event}</code>{finished ? " (not awaited)" : ""}</>;
    return <>event <code>{s.event}</code>: {s.eventId ? `resumed by event ${s.eventId}` : "timed out"}</>;
  }
  if (s.kind === "invoke") {
    return (
      <>
        job <a href={`${base}/${s.childId}`}>#{s.childId}</a> {s.childType ?? ""} {s.childStatus ? <StatusBadge status={s.childStatus} /> : null}
      </>
    );
  }
  if (s.kind === "sleep") return <>until {fmtTime(s.wakeAt)}{s.status === "waiting" && finished ? " (not awaited)" : ""}</>;
  return null;
}

/**
 * A job's durable steps: what it waits on now (a sleep, an event, a child job, with until
 * when), and its steps as a timeline (id, status, duration, result size, the attempt that wrote
 * each). Nothing for a job without steps.
 */
export async function StepsPanel({ e, job, now, base }: { e: Engine; job: Job; now: Date; base: string }) {
  const steps = await listSteps(e, job.id);
  if (!steps.length && !job.parentId) return null;
  const finished = job.status === "completed" || job.status === "failed" || job.status === "cancelled";
  const waits = job.status === "pending" ? steps.filter((s) => s.status === "waiting") : [];
  return (
    <>
      {job.parentId && (
        <p data-testid="parent">
          Invoked by job <a href={`${base}/${job.parentId}`}>#{job.parentId}</a>, which waits for its result.
        </p>
      )}
      {waits.length > 0 && (
        <div className="waits" data-testid="waiting">
          <strong>Waiting</strong> <span className="muted">(pending, no lease held; due {fmtAgo(job.runAt, now)})</span>
          <ul>
            {waits.map((s) => (
              <li key={s.id}><WaitLine s={s} now={now} base={base} /></li>
            ))}
          </ul>
        </div>
      )}
      {steps.length > 0 && (
        <>
          <h2>Steps</h2>
          <table data-testid="steps">
            <thead>
              <tr><th>step</th><th>kind</th><th>status</th><th className="num">duration</th><th className="num">result</th><th className="num">attempt</th><th>finished</th><th></th></tr>
            </thead>
            <tbody>
              {steps.map((s) => (
                <tr key={s.id} data-step={s.id}>
                  <td><code>{s.id}</code></td>
                  <td>{s.kind}</td>
                  <td><span className={`badge s-${s.status === "waiting" ? "waiting" : s.status}`}>{s.status}</span></td>
                  <td className="num">{duration(s)}</td>
                  <td className="num">{bytes(s.resultBytes)}</td>
                  <td className="num">{s.attempt}</td>
                  <td>{fmtTime(s.finishedAt)}</td>
                  <td className={s.status === "failed" ? "err" : undefined}><Detail s={s} base={base} finished={finished} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </>
  );
}
