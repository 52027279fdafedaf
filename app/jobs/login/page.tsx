import type { Metadata } from "next";
import { dashboardAccess } from "@/lib/dashboard/auth.ts";
import { signInAction } from "../actions.ts";
import { DashboardOff } from "../ui.tsx";

export const metadata: Metadata = { title: "Sign in · cronbound" };
export const dynamic = "force-dynamic";

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: Search }) {
  const sp = await searchParams;
  const access = await dashboardAccess();
  if (access.mode === "off") return <DashboardOff />;
  if (access.mode === "open") {
    return (
      <section className="dash narrow">
        <h1>Sign in</h1>
        <p className="notice">Development mode: no sign-in needed. <a href="/jobs">Open the dashboard</a>.</p>
      </section>
    );
  }
  const next = typeof sp.next === "string" && /^\/jobs(\/[0-9]+)?$/.test(sp.next) ? sp.next : "/jobs";
  return (
    <section className="dash narrow">
      <h1>Sign in to the jobs dashboard</h1>
      {access.allowed && <p className="muted">You are signed in. <a href="/jobs">Open the dashboard</a>.</p>}
      {sp.error && <p className="flash bad" role="alert" data-testid="login-error">Wrong secret.</p>}
      <form action={signInAction} className="login">
        <input type="hidden" name="next" value={next} />
        <label>
          Dashboard secret (<code>DASHBOARD_SECRET</code>)
          <input type="password" name="secret" required autoComplete="current-password" autoFocus />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </section>
  );
}
