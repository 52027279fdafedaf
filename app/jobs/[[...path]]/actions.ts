"use server";

import { runDashboardAction } from "cronbound/next/dashboard";
import { queue } from "@/lib/cronbound";

/**
 * Every dashboard form posts here; the package checks access and validates the form inside.
 * maxDuration: the page's own (page.tsx), since "Run one tick now" runs in its invocation.
 */
export async function dashboardAction(form: FormData): Promise<void> {
  return runDashboardAction(queue, form, { maxDuration: 90 });
}
