import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { dashboardAccess, type DashboardMode } from "@/lib/dashboard/auth.ts";
import type { JobStatus } from "@/lib/jobs/types.ts";
import { signOutAction, tickAction } from "./actions.ts";

/**
 * Every dashboard page starts here. Signed out in production: redirected to the sign-in form
 * before any query runs. Returns the mode so the page can show the dev notice, or the "off"
 * message instead of any data.
 */
export async function requirePageAccess(next: string): Promise<DashboardMode> {
  const access = await dashboardAccess();
  if (access.mode === "protected" && !access.allowed) redirect(`/jobs/login?next=${encodeURIComponent(next)}`);
  return access.mode;
}

export function DashboardOff() {
  return (
    <section className="dash">
      <h1>Jobs</h1>
      <p className="notice" data-testid="dashboard-off">
        The dashboard is off: this is a production server and <code>DASHBOARD_SECRET</code> is not set.
        Set it (12 characters or more) and restart to sign in at <code>/jobs/login</code>.
      </p>
    </section>
  );
}

export function ModeBar({ mode, back }: { mode: DashboardMode; back: string }) {
  return (
    <div className="dash-bar">
      {mode === "open" ? (
        <p className="notice" data-testid="dev-notice">
          Development mode: the dashboard is open to anyone who can reach this server. In production it
          requires <code>DASHBOARD_SECRET</code>.
        </p>
      ) : (
        <span />
      )}
      <div className="dash-actions">
        <form action={tickAction}>
          <input type="hidden" name="back" value={back} />
          <button type="submit" data-testid="run-tick">Run one tick now</button>
        </form>
        {mode === "protected" && (
          <form action={signOutAction}>
            <button type="submit" className="secondary">Sign out</button>
          </form>
        )}
      </div>
    </div>
  );
}

const DONE: Record<string, string> = {
  retried: "Retried: the job is pending again, due now.",
  cancelled: "Cancelled.",
  tick: "Tick finished",
};
const ERRORS: Record<string, string> = {
  not_found: "No such job (it may have been pruned).",
  wrong_status: "The job's status changed meanwhile; nothing was done.",
  bad_id: "That is not a job id.",
};

/** The result of the last action, carried in the URL by the action's redirect. */
export function Flash({ done, error, report }: { done?: string; error?: string; report?: string }) {
  if (error) return <p className="flash bad" role="status">{ERRORS[error] ?? "The action failed."}</p>;
  if (done && DONE[done]) {
    return (
      <p className="flash ok" role="status" data-testid="flash">
        {DONE[done]}
        {done === "tick" && report ? `: ${report.slice(0, 200)}.` : ""}
      </p>
    );
  }
  return null;
}

export function StatusBadge({ status }: { status: JobStatus }) {
  return <span className={`badge s-${status}`}>{status}</span>;
}

export function Card({ label, value, testId, href, tone }: { label: string; value: ReactNode; testId: string; href?: string; tone?: string }) {
  const body = (
    <>
      <span className="card-value" data-testid={testId}>{value}</span>
      <span className="card-label">{label}</span>
    </>
  );
  return href ? <a className={`card ${tone ?? ""}`} href={href}>{body}</a> : <div className={`card ${tone ?? ""}`}>{body}</div>;
}

export function fmtTime(d: Date | string | null | undefined): string {
  if (!d) return "—";
  return new Date(d).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** "42 s", "7 min", "3 h 5 min", "2 d 4 h". */
export function fmtDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function fmtAgo(d: Date | string | null | undefined, now: Date): string {
  if (!d) return "";
  const s = (now.getTime() - new Date(d).getTime()) / 1000;
  return s >= 0 ? `${fmtDuration(s)} ago` : `in ${fmtDuration(-s)}`;
}

export function Json({ value, testId }: { value: unknown; testId?: string }) {
  if (value === null || value === undefined) return <p className="muted" data-testid={testId}>none</p>;
  return <pre className="json" data-testid={testId}>{JSON.stringify(value, null, 2)}</pre>;
}
