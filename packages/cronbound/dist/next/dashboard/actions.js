import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { tickBudgetMs } from "../budget.js";
import { dashboardAccess, signIn, signOut } from "./auth.js";
import { safeNext } from "./login.js";
export function settingsOf(queue, options = {}) {
    const base = (options.basePath ?? "/jobs").replace(/\/+$/, "") || "/";
    if (!/^\/[A-Za-z0-9/_-]*$/.test(base))
        throw new TypeError(`dashboard basePath ${JSON.stringify(options.basePath)} must be a plain path such as "/jobs"`);
    return { production: queue.config.production, secret: queue.config.dashboardSecret, base };
}
const idSchema = z.object({ id: z.string().regex(/^[1-9][0-9]{0,18}$/, "not a job id") });
const signInSchema = z.object({ secret: z.string().min(1).max(1000), next: z.string().max(200).catch("") });
export async function runDashboardAction(queue, form, options = {}) {
    if (!(form instanceof FormData))
        throw new TypeError("runDashboardAction(queue, form): form must be the FormData of a dashboard form");
    const s = settingsOf(queue, options);
    const intent = form.get("intent");
    if (intent === "signin") {
        const parsed = signInSchema.safeParse({ secret: form.get("secret"), next: form.get("next") ?? "" });
        if (parsed.success && (await signIn(s, parsed.data.secret)))
            redirect(safeNext(s.base, parsed.data.next));
        // A wrong secret costs the guesser a moment; the secret itself (12+ characters) is what
        // makes guessing hopeless.
        await new Promise((r) => setTimeout(r, 300));
        redirect(`${s.base}/login?error=1`);
    }
    const access = await dashboardAccess(s);
    if (!access.allowed)
        redirect(access.mode === "off" ? s.base : `${s.base}/login`);
    const back = (path, params) => {
        const [p, query] = path.split("?");
        const q = new URLSearchParams(query);
        for (const k of ["done", "error", "report"])
            q.delete(k);
        for (const [k, v] of Object.entries(params))
            q.set(k, v);
        redirect(`${p}?${q.toString()}`);
    };
    switch (intent) {
        case "retry":
        case "cancel": {
            const parsed = idSchema.safeParse({ id: form.get("id") });
            if (!parsed.success)
                back(s.base, { error: "bad_id" });
            const id = parsed.data.id;
            const r = intent === "retry" ? await queue.retryJob(id) : await queue.cancelJob(id, { reason: "cancelled from the dashboard" });
            revalidatePath(s.base, "layout");
            back(`${s.base}/${id}`, r.ok ? { done: intent === "retry" ? "retried" : "cancelled" } : { error: r.reason });
            break;
        }
        case "tick": {
            const to = backPath(s.base, form.get("back"));
            const report = await queue.runTick({
                // Enough for a job of up to a minute to fit, within the page's maxDuration.
                budgetMs: tickBudgetMs({ maxDurationS: options.maxDuration ?? 90, override: queue.config.tickBudgetMs }),
            });
            revalidatePath(s.base, "layout");
            const summary = `claimed ${report.claimed}, completed ${report.completed}, retried ${report.retried}, failed ${report.failed}, rescued ${report.rescued} in ${report.durationMs} ms`;
            back(to, { done: "tick", report: summary });
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
function backPath(base, value) {
    if (typeof value !== "string" || !value.startsWith(base))
        return base;
    const rest = value.slice(base.length);
    return /^(\/[0-9]+)?(\?[A-Za-z0-9=&%+._-]*)?$/.test(rest) ? value : base;
}
