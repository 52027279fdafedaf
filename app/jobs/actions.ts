"use server";

import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { dashboardAccess, signIn, signOut } from "@/lib/dashboard/auth.ts";
import { env } from "@/lib/env.ts";
import { queue } from "@/lib/queue.ts";

// The dashboard's server actions. Each one checks access itself and validates its form data
// with zod before touching the queue: a server action is a public POST endpoint, whatever page
// its form is on. They answer with a redirect carrying a short result code in the URL, so the
// forms work without JavaScript and a reload does not repeat the action.

const idSchema = z.object({ id: z.string().regex(/^[1-9][0-9]{0,18}$/, "not a job id") });
const backSchema = z
  .string()
  .regex(/^\/jobs(\/[0-9]+)?(\?[A-Za-z0-9=&%+._-]*)?$/)
  .catch("/jobs");

/**
 * Budget of the dashboard's "run one tick now": enough for the demo's longest job timeout
 * (process-upload, 60 s) to fit, and under the pages' maxDuration (90 s).
 */
const DASHBOARD_TICK_BUDGET_MS = 75_000;

async function mustBeAllowed(): Promise<void> {
  const access = await dashboardAccess();
  if (!access.allowed) redirect(access.mode === "off" ? "/jobs" : "/jobs/login");
}

function back(path: string, params: Record<string, string>): never {
  const [base, query] = path.split("?");
  const q = new URLSearchParams(query);
  for (const k of ["done", "error", "report"]) q.delete(k);
  for (const [k, v] of Object.entries(params)) q.set(k, v);
  redirect(`${base}?${q.toString()}`);
}

export async function retryAction(form: FormData): Promise<void> {
  await mustBeAllowed();
  const parsed = idSchema.safeParse({ id: form.get("id") });
  if (!parsed.success) back("/jobs", { error: "bad_id" });
  const r = await queue.retryJob(parsed.data.id);
  revalidatePath("/jobs", "layout");
  back(`/jobs/${parsed.data.id}`, r.ok ? { done: "retried" } : { error: r.reason });
}

export async function cancelAction(form: FormData): Promise<void> {
  await mustBeAllowed();
  const parsed = idSchema.safeParse({ id: form.get("id") });
  if (!parsed.success) back("/jobs", { error: "bad_id" });
  const r = await queue.cancelJob(parsed.data.id, { reason: "cancelled from the dashboard" });
  revalidatePath("/jobs", "layout");
  back(`/jobs/${parsed.data.id}`, r.ok ? { done: "cancelled" } : { error: r.reason });
}

export async function tickAction(form: FormData): Promise<void> {
  await mustBeAllowed();
  const to = backSchema.parse(form.get("back") ?? "/jobs");
  const report = await queue.runTick({
    budgetMs: Math.min(env().TICK_BUDGET_MS ?? DASHBOARD_TICK_BUDGET_MS, DASHBOARD_TICK_BUDGET_MS),
    batchSize: env().TICK_BATCH_SIZE,
    concurrency: env().TICK_CONCURRENCY,
    graceMs: env().LEASE_GRACE_MS,
  });
  revalidatePath("/jobs", "layout");
  const summary = `claimed ${report.claimed}, completed ${report.completed}, retried ${report.retried}, failed ${report.failed}, rescued ${report.rescued} in ${report.durationMs} ms`;
  back(to, { done: "tick", report: summary });
}

const signInSchema = z.object({
  secret: z.string().min(1).max(1000),
  next: z.string().regex(/^\/jobs(\/[0-9]+)?$/).catch("/jobs"),
});

export async function signInAction(form: FormData): Promise<void> {
  const parsed = signInSchema.safeParse({ secret: form.get("secret"), next: form.get("next") ?? "/jobs" });
  if (parsed.success && (await signIn(parsed.data.secret))) redirect(parsed.data.next);
  // A wrong secret costs the guesser a moment; the secret itself (12+ characters) is what
  // makes guessing hopeless.
  await new Promise((r) => setTimeout(r, 300));
  redirect("/jobs/login?error=1");
}

export async function signOutAction(): Promise<void> {
  await signOut();
  redirect("/jobs/login");
}
