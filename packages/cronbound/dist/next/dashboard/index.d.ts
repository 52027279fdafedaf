import type { Queue } from "../../queue.ts";
import { type DashboardOptions } from "./actions.ts";
import { type Search } from "./overview.tsx";
import { type DashboardAction } from "./ui.tsx";
export { runDashboardAction, type DashboardOptions } from "./actions.ts";
export { dashboardMode, type DashboardMode } from "./auth.ts";
export { DASHBOARD_CSS } from "./styles.ts";
export type { DashboardAction } from "./ui.tsx";
/** The props Next passes a catch-all page (`app/jobs/[[...path]]/page.tsx`). */
export interface DashboardPageProps {
    params: Promise<Record<string, string | string[] | undefined>>;
    searchParams: Promise<Search>;
}
export interface DashboardProps extends DashboardPageProps, DashboardOptions {
    queue: Queue;
    /** The app's server action wrapping runDashboardAction (same basePath and maxDuration). */
    action: DashboardAction;
}
/** The page title for a dashboard path: "Jobs", "Job #42", "Sign in", each followed by " · cronbound". */
export declare function dashboardTitle(params: DashboardPageProps["params"]): Promise<string>;
export declare function Dashboard({ queue, action, params, searchParams, basePath, maxDuration }: DashboardProps): Promise<import("react/jsx-runtime").JSX.Element>;
