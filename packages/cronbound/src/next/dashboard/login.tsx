import type { Access } from "./auth.ts";
import type { Search } from "./overview.tsx";
import { ActionForm, DashboardOff, type ViewContext } from "./ui.tsx";

/** A page the sign-in may send the user back to: the overview or one job. */
export function safeNext(base: string, next: unknown): string {
  if (typeof next !== "string") return base;
  const rest = next.startsWith(base) ? next.slice(base.length) : null;
  return rest !== null && /^(\/[0-9]{1,19})?$/.test(rest) ? next : base;
}

export function Login({ v, access, sp }: { v: ViewContext; access: Access; sp: Search }) {
  if (access.mode === "off") return <DashboardOff />;
  if (access.mode === "open") {
    return (
      <section className="dash narrow">
        <h1>Sign in</h1>
        <p className="notice">Development mode: no sign-in needed. <a href={v.base}>Open the dashboard</a>.</p>
      </section>
    );
  }
  const next = safeNext(v.base, sp.next);
  return (
    <section className="dash narrow">
      <h1>Sign in to the jobs dashboard</h1>
      {access.allowed && <p className="muted">You are signed in. <a href={v.base}>Open the dashboard</a>.</p>}
      {sp.error === "limited" ? (
        <p className="flash bad" role="alert" data-testid="login-error">
          Too many failed sign-ins: try again in 15 minutes.
        </p>
      ) : (
        sp.error && (
          <p className="flash bad" role="alert" data-testid="login-error">
            Wrong secret.
          </p>
        )
      )}
      <ActionForm v={v} intent="signin" className="login" fields={{ next }}>
        <label>
          Dashboard secret (<code>DASHBOARD_SECRET</code>)
          <input type="password" name="secret" required autoComplete="current-password" autoFocus />
        </label>
        <button type="submit">Sign in</button>
      </ActionForm>
    </section>
  );
}
