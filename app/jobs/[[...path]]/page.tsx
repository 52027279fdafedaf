import type { Metadata } from "next";
import { Dashboard, dashboardTitle, type DashboardPageProps } from "cronbound/next/dashboard";
import { queue } from "@/lib/cronbound";
import { dashboardAction } from "./actions";

// /jobs, /jobs/{id} and /jobs/login: the dashboard from the package.
export const dynamic = "force-dynamic";
/** "Run one tick now" runs inside this page's invocation: its budget is this minus a margin. Keep equal to actions.ts's. */
export const maxDuration = 90;

export async function generateMetadata({ params }: Pick<DashboardPageProps, "params">): Promise<Metadata> {
  return { title: await dashboardTitle(params) };
}

export default function JobsDashboard(props: DashboardPageProps) {
  return <Dashboard queue={queue} action={dashboardAction} {...props} />;
}
