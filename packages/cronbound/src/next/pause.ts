import { z } from "zod";
import { toIssues } from "../engine/errors.ts";
import { MAX_PAUSE_REASON } from "../engine/pause.ts";
import type { Queue } from "../queue.ts";
import { json, problem } from "./respond.ts";

/** Largest pause/resume request body. */
export const MAX_PAUSE_BODY_BYTES = 4 * 1024;

export const pauseRequestSchema = z.strictObject({
  type: z.string().min(1).max(200),
  reason: z.string().max(MAX_PAUSE_REASON).optional(),
});

/**
 * POST /api/jobs/pause `{ type, reason? }` and POST /api/jobs/resume `{ type }`: 200 with the
 * type's state; 400 for a malformed body; 422 unknown_type (nothing written).
 */
export async function pauseFromRequest(queue: Queue, action: "pause" | "resume", body: unknown): Promise<Response> {
  const parsed = (action === "pause" ? pauseRequestSchema : pauseRequestSchema.omit({ reason: true })).safeParse(body);
  if (!parsed.success) {
    return problem(400, "invalid_request", `${action} takes a JSON object { type${action === "pause" ? ", reason?" : ""} }`, { issues: toIssues(parsed.error) });
  }
  const { type, reason } = parsed.data as { type: string; reason?: string };
  const r = action === "pause" ? await queue.pause(type, { reason }) : await queue.resume(type);
  if (!r.ok) return problem(422, r.reason === "unknown_type" ? "unknown_type" : "invalid_request", r.message);
  return json({ type: r.type, paused: r.paused, pausedAt: r.pausedAt?.toISOString() ?? null, reason: r.reason, changed: r.changed });
}
