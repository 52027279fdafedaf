import type { ReactNode } from "react";
import type { JobStatus } from "../../engine/types.ts";
import type { DashboardMode } from "./auth.ts";

/** A server action taking the form: the app's one-line wrapper around runDashboardAction. */
export type DashboardAction = (form: FormData) => Promise<void>;

/** What every dashboard view needs: where it is mounted, the action its forms post to, the access mode. */
export interface ViewContext {
  base: string;
  action: DashboardAction;
  mode: DashboardMode;
}

/** A form posting to the dashboard's action; `intent` says which action it is. */
export function ActionForm({ v, intent, children, className, fields = {} }: { v: ViewContext; intent: string; children: ReactNode; className?: string; fields?: Record<string, string> }) {
  return (
    <form action={v.action} className={className}>
      <input type="hidden" name="intent" value={intent} />
      {Object.entries(fields).map(([k, val]) => <input key={k} type="hidden" name={k} value={val} />)}
      {children}
    </form>
  );
}

export function DashboardOff() {
  return (
    <section className="dash">
      <h1>Jobs</h1>
      <p className="notice" data-testid="dashboard-off">
        The dashboard is off: <code>DASHBOARD_SECRET</code> (config.dashboardSecret) is not set, and without it the dashboard
        opens only in development, to this machine. Set it (<code>openssl rand -base64 32</code>) and restart to sign in.
      </p>
    </section>
  );
}

export function ModeBar({ v, back }: { v: ViewContext; back: string }) {
  return (
    <div className="dash-bar">
      {v.mode === "open" ? (
        <p className="notice" data-testid="dev-notice">
          Development mode: the dashboard is open to anyone who can reach this server. In production it
          requires <code>DASHBOARD_SECRET</code>.
        </p>
      ) : (
        <span />
      )}
      <div className="dash-actions">
        <ActionForm v={v} intent="tick" fields={{ back }}>
          <button type="submit" data-testid="run-tick">Run one tick now</button>
        </ActionForm>
        {v.mode === "protected" && (
          <ActionForm v={v} intent="signout">
            <button type="submit" className="secondary">Sign out</button>
          </ActionForm>
        )}
      </div>
    </div>
  );
}

const DONE: Record<string, string> = {
  retried: "Retried: the job is pending again, due now.",
  cancelled: "Cancelled.",
  tick: "Tick finished",
  "limit-set": "Limits overridden, from the next claim on, for",
  "limit-cleared": "Override cleared: the code's limits hold again for",
};
const ERRORS: Record<string, string> = {
  not_found: "No such job (it may have been pruned).",
  wrong_status: "The job's status changed meanwhile; nothing was done.",
  bad_id: "That is not a job id.",
  bad_filter: "That filter is malformed (a status, type, date or text that is not valid); nothing was done.",
  empty_match: "No job matches that filter any more; nothing was done.",
  unknown_type: "No such job type; nothing was done.",
  invalid_reason: "The reason is too long (500 characters at most); nothing was done.",
  invalid_limit: "That limit is not valid; nothing was written",
  not_limited: "That type declares no limit in code, so none can be set here; nothing was written",
};
/** Codes whose flash carries the action's own detail (`report`): a type name or a refusal's reason. */
const WITH_REPORT = new Set(["tick", "limit-set", "limit-cleared", "invalid_limit", "not_limited"]);

/** The result of the last action, carried in the URL by the action's redirect. */
export function Flash({ done, error, report }: { done?: string; error?: string; report?: string }) {
  if (error) {
    return (
      <p className="flash bad" role="status" data-testid="flash-error">
        {ERRORS[error] ?? "The action failed."}
        {WITH_REPORT.has(error) && report ? `: ${report.slice(0, 300)}.` : WITH_REPORT.has(error) ? "." : ""}
      </p>
    );
  }
  if (done && DONE[done]) {
    return (
      <p className="flash ok" role="status" data-testid="flash">
        {DONE[done]}
        {WITH_REPORT.has(done) && report ? `${done === "tick" ? ":" : ""} ${report.slice(0, 200)}.` : ""}
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
