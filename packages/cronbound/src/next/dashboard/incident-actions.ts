import { revalidatePath } from "next/cache";
import { z } from "zod";
import { cancelMatching, jobFilterSchema, MAX_BULK, retryMatching } from "../../engine/bulk.ts";
import { queryRows } from "../../db.ts";
import type { Queue } from "../../queue.ts";
import { sql } from "../../sql.ts";

// The dashboard's incident intents: bulk-retry, bulk-cancel, pause, resume. Called by
// runDashboardAction after its access check; each validates its form before touching the queue
// and answers with a redirect (`back`) carrying a result code.

const FILTER_FIELDS = ["type", "status", "from", "to", "text"] as const;
const expectedSchema = z.coerce.number().int().min(1).max(MAX_BULK);
const pauseSchema = z.object({ type: z.string().min(1).max(200), reason: z.string().optional() });

export async function incidentAction(
  queue: Queue,
  intent: "bulk-retry" | "bulk-cancel" | "pause" | "resume",
  form: FormData,
  base: string,
  back: (params: Record<string, string>) => never,
): Promise<never> {
  if (intent === "pause" || intent === "resume") {
    const reason = form.get("reason");
    const parsed = pauseSchema.safeParse({ type: form.get("type"), reason: typeof reason === "string" && reason !== "" ? reason : undefined });
    if (!parsed.success) return back({ error: "unknown_type" });
    const r = intent === "pause" ? await queue.pause(parsed.data.type, { reason: parsed.data.reason }) : await queue.resume(parsed.data.type);
    if (!r.ok) return back({ error: r.reason });
    revalidatePath(base, "layout");
    return back({ done: intent === "pause" ? "paused" : "resumed", report: r.type });
  }

  // The filter exactly as the list showed it; a field that is present must be well-formed.
  const raw: Record<string, string> = {};
  for (const k of FILTER_FIELDS) {
    const v = form.get(k);
    if (v === null || v === "") continue;
    if (typeof v !== "string") return back({ error: "bad_filter" });
    raw[k] = v;
  }
  const filter = jobFilterSchema.safeParse(raw);
  const expected = expectedSchema.safeParse(form.get("expected"));
  if (!filter.success || !expected.success) return back({ error: "bad_filter" });
  const e = queue.engine();
  if (filter.data.type && !queue.registry.get(filter.data.type)) {
    // A type with jobs but no definition may still be retried or cancelled; a type nobody knows matches nothing.
    const known = await queryRows(e.db, sql`SELECT 1 FROM ${e.t.jobs} WHERE type = ${filter.data.type} LIMIT 1`);
    if (!known.length) return back({ error: "empty_match" });
  }
  // At most the count the operator confirmed, in batches (engine/bulk.ts).
  const n =
    intent === "bulk-retry"
      ? await retryMatching(e, filter.data, { limit: expected.data })
      : await cancelMatching(e, filter.data, { limit: expected.data, reason: "cancelled in bulk from the dashboard" });
  if (n === 0) return back({ error: "empty_match" });
  revalidatePath(base, "layout");
  return back({ done: intent === "bulk-retry" ? "bulk-retried" : "bulk-cancelled", report: `${n} job${n === 1 ? "" : "s"}` });
}
