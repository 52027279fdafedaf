import { jsx as _jsx, jsxs as _jsxs } from "react/jsx-runtime";
// cronbound/next/dashboard: the jobs dashboard, mounted in an app with two small files.
//
//   // app/jobs/[[...path]]/actions.ts
//   "use server";
//   import { runDashboardAction } from "cronbound/next/dashboard";
//   import { queue } from "@/lib/cronbound";
//   export async function dashboardAction(form: FormData) { return runDashboardAction(queue, form); }
//
//   // app/jobs/[[...path]]/page.tsx
//   import { Dashboard, type DashboardPageProps } from "cronbound/next/dashboard";
//   import { queue } from "@/lib/cronbound";
//   import { dashboardAction } from "./actions";
//   export const dynamic = "force-dynamic";
//   export const maxDuration = 90;
//   export default function Page(props: DashboardPageProps) {
//     return <Dashboard queue={queue} action={dashboardAction} {...props} />;
//   }
//
// /jobs is the overview, /jobs/{id} one job, /jobs/login the sign-in form. Access is checked
// by the page before any query runs, and again by every action.
import { notFound, redirect } from "next/navigation";
import { isJobId } from "../../engine/control.js";
import { settingsOf } from "./actions.js";
import { dashboardAccess } from "./auth.js";
import { JobView } from "./job.js";
import { Login } from "./login.js";
import { overviewHref, Overview } from "./overview.js";
import { DASHBOARD_CSS } from "./styles.js";
import { DashboardOff } from "./ui.js";
export { runDashboardAction } from "./actions.js";
export { dashboardMode } from "./auth.js";
export { DASHBOARD_CSS } from "./styles.js";
/** The page title for a dashboard path: "Jobs", "Job #42", "Sign in", each followed by " · cronbound". */
export async function dashboardTitle(params) {
    const path = Object.values(await params).find((v) => Array.isArray(v)) ?? [];
    if (path.length === 0)
        return "Jobs · cronbound";
    if (path.length === 1 && path[0] === "login")
        return "Sign in · cronbound";
    return `Job #${path.length === 1 && isJobId(path[0]) ? path[0] : "?"} · cronbound`;
}
export async function Dashboard({ queue, action, params, searchParams, basePath, maxDuration }) {
    const s = settingsOf(queue, { basePath, maxDuration });
    const p = await params;
    const path = Object.values(p).find((v) => Array.isArray(v)) ?? [];
    const sp = await searchParams;
    const access = await dashboardAccess(s);
    const v = { base: s.base, action, mode: access.mode };
    const e = queue.engine();
    let body;
    if (path.length === 1 && path[0] === "login") {
        body = _jsx(Login, { v: v, access: access, sp: sp });
    }
    else if (access.mode === "off") {
        body = _jsx(DashboardOff, {});
    }
    else if (path.length === 0 || (path.length === 1 && isJobId(path[0]))) {
        // Signed out: to the sign-in form before any query runs, and back here afterwards.
        const here = path.length ? `${s.base}/${path[0]}` : overviewHref(s.base, sp);
        if (!access.allowed)
            redirect(`${s.base}/login?next=${encodeURIComponent(here.split("?")[0])}`);
        body = path.length ? _jsx(JobView, { e: e, v: v, id: path[0], sp: sp }) : _jsx(Overview, { e: e, v: v, sp: sp });
    }
    else {
        notFound();
    }
    return (_jsxs("div", { className: "cronbound", children: [_jsx("style", { children: DASHBOARD_CSS }), body] }));
}
