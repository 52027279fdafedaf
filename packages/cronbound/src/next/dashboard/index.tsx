// cronbound/next/dashboard: the jobs dashboard, mounted in an app with two small files.
//
//   // app/jobs/[[...path]]/actions.ts
//   "use server";
//   import { runDashboardAction } from "cronbound/next/dashboard";
//   import { queue } from "@/lib/cronbound";
//   export async function dashboardAction(form: FormData) { return runDashboardAction(queue, form, { maxDuration: 90 }); }
//
//   // app/jobs/[[...path]]/page.tsx
//   import { Dashboard, type DashboardPageProps } from "cronbound/next/dashboard";
//   import { queue } from "@/lib/cronbound";
//   import { dashboardAction } from "./actions";
//   export const dynamic = "force-dynamic";
//   export const maxDuration = 90; // "Run one tick now" runs in this page: the same number as the action's
//   export default function Page(props: DashboardPageProps) {
//     return <Dashboard queue={queue} action={dashboardAction} {...props} />;
//   }
//
// /jobs is the overview, /jobs/{id} one job, /jobs/login the sign-in form. Access is checked
// by the page before any query runs, and again by every action.
import { notFound, redirect } from "next/navigation";
import type { Queue } from "../../queue.ts";
import { isJobId } from "../../engine/control.ts";
import { settingsOf, type DashboardOptions } from "./actions.ts";
import { dashboardAccess } from "./auth.ts";
import { findJob } from "../../engine/bulk.ts";
import { JobView } from "./job.tsx";
import { Login } from "./login.tsx";
import { overviewHref, Overview, type Search } from "./overview.tsx";
import { DASHBOARD_CSS } from "./styles.ts";
import { TypeView } from "./type-view.tsx";
import { DashboardOff, type DashboardAction, type ViewContext } from "./ui.tsx";

export { runDashboardAction, type DashboardOptions, type DashboardActionOptions } from "./actions.ts";
export { dashboardMode, type DashboardMode } from "./auth.ts";
export { DASHBOARD_CSS } from "./styles.ts";
/** The overview's Limits section on its own, for a custom page (docs/FLOW-CONTROL.md). */
export { LimitsSection } from "./limits.tsx";
export type { DashboardAction } from "./ui.tsx";

/** The props Next passes a catch-all page (`app/jobs/[[...path]]/page.tsx`). */
export interface DashboardPageProps {
  params: Promise<Record<string, string | string[] | undefined>>;
  searchParams: Promise<Search>;
}

export interface DashboardProps extends DashboardPageProps, DashboardOptions {
  queue: Queue;
  /** The app's server action wrapping runDashboardAction (with the same basePath). */
  action: DashboardAction;
}

/** The page title for a dashboard path: "Jobs", "Job #42", "Sign in", each followed by " · cronbound". */
export async function dashboardTitle(params: DashboardPageProps["params"]): Promise<string> {
  const path = (Object.values(await params).find((v) => Array.isArray(v)) as string[] | undefined) ?? [];
  if (path.length === 0) return "Jobs · cronbound";
  if (path.length === 1 && path[0] === "login") return "Sign in · cronbound";
  return `Job #${path.length === 1 && isJobId(path[0]) ? path[0] : "?"} · cronbound`;
}

export async function Dashboard({ queue, action, params, searchParams, basePath }: DashboardProps) {
  const s = settingsOf(queue, { basePath });
  const p = await params;
  const path = (Object.values(p).find((v) => Array.isArray(v)) as string[] | undefined) ?? [];
  const sp = await searchParams;
  const access = await dashboardAccess(s);
  const v: ViewContext = { base: s.base, action, mode: access.mode };
  const e = queue.engine();

  let body;
  if (path.length === 1 && path[0] === "login") {
    body = <Login v={v} access={access} sp={sp} />;
  } else if (access.mode === "off") {
    body = <DashboardOff />;
  } else if (path.length === 0 || (path.length === 1 && isJobId(path[0]))) {
    // Signed out: to the sign-in form before any query runs, and back here afterwards.
    const here = path.length ? `${s.base}/${path[0]}` : overviewHref(s.base, sp);
    if (!access.allowed) redirect(`${s.base}/login?next=${encodeURIComponent(here.split("?")[0])}`);
    body = path.length ? <JobView e={e} v={v} id={path[0]} sp={sp} /> : <Overview e={e} v={v} sp={sp} />;
  } else if ((path.length === 1 && path[0] === "search") || (path.length === 2 && path[0] === "types")) {
    // Incident tools (incidents.tsx, type-view.tsx): the same access check before any query.
    if (!access.allowed) redirect(`${s.base}/login?next=${encodeURIComponent(s.base)}`);
    if (path[0] === "types") {
      let type: string;
      try {
        type = decodeURIComponent(path[1]);
      } catch {
        notFound();
      }
      body = <TypeView e={e} v={v} type={type} sp={sp} />;
    } else {
      const q = (Array.isArray(sp.q) ? sp.q[0] : sp.q)?.trim() ?? "";
      const found = q ? await findJob(e, q) : null;
      if (found) redirect(`${s.base}/${found.id}`);
      redirect(q && q.length <= 200 ? `${s.base}?${new URLSearchParams({ text: q }).toString()}#list` : s.base);
    }
  } else {
    notFound();
  }
  return (
    <div className="cronbound">
      <style>{DASHBOARD_CSS}</style>
      {body}
    </div>
  );
}
