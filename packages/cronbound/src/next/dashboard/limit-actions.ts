import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { LimitInput } from "../../engine/flow/settings.ts";
import type { Queue } from "../../queue.ts";

// The dashboard's limit intents: set-limit and clear-limit (docs/FLOW-CONTROL.md, "Changing
// limits at run time"). Called by runDashboardAction after its access check; each validates its
// form before touching the queue, goes through queue.setLimit / queue.clearLimit (which check the
// numbers again and write nothing on bad input), and answers with a redirect (`back`) carrying a
// result code and, on a refusal, the reason.

const typeSchema = z.string().min(1).max(200);
const FIELDS = { concurrency: "concurrency", rate: "rate limit", period: "rate period (ms)" } as const;

/** An optional whole number from a form field: undefined when blank, a message when malformed. */
function field(form: FormData, name: keyof typeof FIELDS): number | undefined | { error: string } {
  const v = form.get(name);
  if (v === null || (typeof v === "string" && v.trim() === "")) return undefined;
  if (typeof v !== "string" || v.length > 20 || !/^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(v)) {
    return { error: `${FIELDS[name]} must be a whole number (got ${JSON.stringify(typeof v === "string" ? v.slice(0, 20) : "a file")})` };
  }
  return Number(v);
}

export async function limitAction(
  queue: Queue,
  intent: "set-limit" | "clear-limit",
  form: FormData,
  base: string,
  back: (params: Record<string, string>) => never,
): Promise<never> {
  const type = typeSchema.safeParse(form.get("type"));
  if (!type.success) return back({ error: "unknown_type" });
  if (intent === "clear-limit") {
    const r = await queue.clearLimit(type.data);
    if (!r.ok) return back({ error: r.reason, report: r.message });
    revalidatePath(base, "layout");
    return back({ done: "limit-cleared", report: r.type });
  }

  const concurrency = field(form, "concurrency");
  const rate = field(form, "rate");
  const period = field(form, "period");
  for (const f of [concurrency, rate, period]) {
    if (typeof f === "object") return back({ error: "invalid_limit", report: f.error });
  }
  const input: LimitInput = {};
  if (concurrency !== undefined) input.concurrency = concurrency as number;
  if ((rate === undefined) !== (period === undefined)) {
    return back({ error: "invalid_limit", report: "give both the rate limit and its period, or neither" });
  }
  if (rate !== undefined) input.rateLimit = { limit: rate as number, periodMs: period as number };
  const r = await queue.setLimit(type.data, input);
  if (!r.ok) return back({ error: r.reason, report: r.message });
  revalidatePath(base, "layout");
  return back({ done: "limit-set", report: r.type });
}
