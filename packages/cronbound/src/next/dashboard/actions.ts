import { getDeadline } from "@vercel/functions";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import type { Queue } from "../../queue.ts";
import { isJobId } from "../../engine/ids.ts";
import { tickBudgetMs } from "../budget.ts";
import { dashboardAccess, signIn, signOut, type AuthSettings } from "./auth.ts";
import { incidentAction } from "./incident-actions.ts";
import { limitAction } from "./limit-actions.ts";
import { safeNext } from "./login.tsx";

// The dashboard's server actions, behind one entry point. The app wraps it in its own
// "use server" file (a server action must be declared by the app):
//
//   "use server";
//   export async function dashboardAction(form: FormData) { return runDashboardAction(queue, form); }
//
// Every intent but "signin" checks access itself, and every one validates its form data with
// zod before touching the queue: a server action is a public POST endpoint, whatever page its
// form is on. Each answers with a redirect carrying a short result code in the URL, so the
// forms work without JavaScript and a reload does not repeat the action.

export interface DashboardOptions {
  /** Where the dashboard is mounted; give <Dashboard> the same. Default "/jobs". */
  basePath?: string;
}

export interface DashboardActionOptions extends DashboardOptions {
  /**
   * The `maxDuration` (seconds) of the dashboard's page: "Run one tick now" runs inside that
   * invocation, so its budget is this minus a safety margin (or less, from getDeadline() on
   * Vercel). Export the same number from the page. Default 90.
   */
  maxDuration?: number;
}

export function settingsOf(queue: Queue, options: DashboardOptions = {}): AuthSettings {
  const base = (options.basePath ?? "/jobs").replace(/\/+$/, "") || "/";
  if (!/^\/[A-Za-z0-9/_-]*$/.test(base)) throw new TypeError(`dashboard basePath ${JSON.stringify(options.basePath)} must be a plain path such as "/jobs"`);
  return { production: queue.config.production, secret: queue.config.dashboardSecret, base, engine: queue.engine() };
}

const idSchema = z.object({ id: z.string().refine(isJobId, "not a job id") });
const signInSchema = z.object({ secret: z.string().min(1).max(1000), next: z.string().max(200).catch("") });

export async function runDashboardAction(queue: Queue, form: FormData, options: DashboardActionOptions = {}): Promise<void> {
  if (!(form instanceof FormData)) throw new TypeError("runDashboardAction(queue, form): form must be the FormData of a dashboard form");
  const s = settingsOf(queue, options);
  const intent = form.get("intent");

  if (intent === "signin") {
    const parsed = signInSchema.safeParse({ secret: form.get("secret"), next: form.get("next") ?? "" });
    // An empty or oversized secret is a failed attempt like any other: counted and logged.
    const result = await signIn(s, parsed.success ? parsed.data.secret : "");
    if (result === "ok") redirect(safeNext(s.base, parsed.data!.next));
    if (result === "off") redirect(s.base);
    // A wrong secret costs the guesser a moment; SIGNIN_LIMITS and the secret's length (generate
    // it with `openssl rand -base64 32`) are what make guessing hopeless.
    await new Promise((r) => setTimeout(r, 300));
    redirect(`${s.base}/login?error=${result === "limited" ? "limited" : "1"}`);
  }

  const access = await dashboardAccess(s);
  if (!access.allowed) redirect(access.mode === "off" ? s.base : `${s.base}/login`);
  const back = (path: string, params: Record<string, string>): never => {
    const [p, query] = path.split("?");
    const q = new URLSearchParams(query);
    for (const k of ["done", "error", "report"]) q.delete(k);
    for (const [k, v] of Object.entries(params)) q.set(k, v);
    redirect(`${p}?${q.toString()}`);
  };

  switch (intent) {
    case "retry":
    case "cancel": {
      const parsed = idSchema.safeParse({ id: form.get("id") });
      if (!parsed.success) back(s.base, { error: "bad_id" });
      const id = parsed.data!.id;
      const r = intent === "retry" ? await queue.retryJob(id) : await queue.cancelJob(id, { reason: "cancelled from the dashboard" });
      revalidatePath(s.base, "layout");
      back(`${s.base}/${id}`, r.ok ? { done: intent === "retry" ? "retried" : "cancelled" } : { error: r.reason });
      break;
    }
    case "tick": {
      const to = backPath(s.base, form.get("back"));
      const report = await queue.runTick({
        // Within the page's own invocation: 90 s lets a job of up to a minute fit.
        budgetMs: tickBudgetMs({ maxDurationS: options.maxDuration ?? 90, deadline: getDeadline(), override: queue.config.tickBudgetMs }),
      });
      revalidatePath(s.base, "layout");
      const summary = `claimed ${report.claimed}, completed ${report.completed}, retried ${report.retried}, failed ${report.failed}, rescued ${report.rescued} in ${report.durationMs} ms`;
      back(to, { done: "tick", report: summary });
      break;
    }
    case "bulk-retry":
    case "bulk-cancel":
    case "pause":
    case "resume": {
      const to = backPath(s.base, form.get("back"));
      await incidentAction(queue, intent, form, s.base, (params) => back(to, params));
      break;
    }
    case "set-limit":
    case "clear-limit": {
      const to = backPath(s.base, form.get("back"));
      await limitAction(queue, intent, form, s.base, (params) => back(to, params));
      break;
    }
    case "signout":
      await signOut(s);
      redirect(`${s.base}/login`);
      break;
    default:
      back(s.base, { error: "bad_intent" });
  }
}

/** Where "Run one tick now" returns: a dashboard page with its filters, never elsewhere. */
function backPath(base: string, value: FormDataEntryValue | null): string {
  if (typeof value !== "string" || !value.startsWith(base)) return base;
  const rest = value.slice(base.length);
  return /^(\/[0-9]+|\/types\/[A-Za-z0-9._:%-]{1,300})?(\?[A-Za-z0-9=&%+._-]*)?$/.test(rest) ? value : base;
}
