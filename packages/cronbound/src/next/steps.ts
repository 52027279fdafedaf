import { EventError } from "../engine/steps/limits.ts";
import { waitForJob } from "../engine/steps/result.ts";
import { jobWaits } from "../engine/steps/view.ts";
import type { Queue } from "../queue.ts";
import { json, problem } from "./respond.ts";
import { jobJson } from "./serialize.ts";

/** Largest POST /api/jobs/events body; the event's data is limited further (64 KiB) by sendEvent. */
export const MAX_EVENT_BODY_BYTES = 128 * 1024;
/** Longest `?waitMs=` of GET /api/jobs/{id}, also kept 5 s inside the route's maxDuration. */
export const MAX_HTTP_WAIT_MS = 30_000;

/**
 * POST /api/jobs/events: `{ event, data? }` resumes the jobs waiting for it (ctx.waitForEvent),
 * for webhooks. 200 `{ id, resumed }`; 422 for a body that is not `{ event, data? }` or a bad
 * name; 413 for data over 64 KiB. A refused request writes nothing.
 */
export async function eventFromRequest(queue: Queue, body: unknown): Promise<Response> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return problem(422, "invalid_request", "request body must be a JSON object: { event, data? }");
  }
  const { event, data, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) {
    return problem(422, "invalid_request", `unknown field(s): ${extra.join(", ")}; expected { event, data? }`, {
      issues: extra.map((k) => ({ path: [k], message: "unrecognized key", code: "unrecognized_keys" })),
    });
  }
  try {
    const sent = await queue.sendEvent(event as string, data ?? null);
    return json(sent, 200);
  } catch (err) {
    if (err instanceof EventError) {
      return problem(err.code === "too_large" ? 413 : 422, err.code, err.message, { issues: [{ path: [err.code === "too_large" ? "data" : "event"], message: err.message }] });
    }
    throw err;
  }
}

export type WaitParse = { ok: true; waitMs: number } | { ok: false; response: Response };

/** `?waitMs=` of GET /api/jobs/{id}: absent is 0; a whole number up to the cap; anything else 400. */
export function parseWaitMs(url: string, maxDurationS: number): WaitParse {
  const raw = new URL(url).searchParams.getAll("waitMs");
  if (raw.length === 0) return { ok: true, waitMs: 0 };
  const cap = Math.max(0, Math.min(MAX_HTTP_WAIT_MS, Math.floor(maxDurationS * 1000) - 5_000));
  const value = raw.length === 1 && /^\d{1,9}$/.test(raw[0]) ? Number(raw[0]) : NaN;
  if (!Number.isInteger(value) || value > cap) {
    return {
      ok: false,
      response: problem(400, "invalid_request", `waitMs must be a whole number of milliseconds from 0 to ${cap}`, {
        issues: [{ path: ["waitMs"], message: `must be a whole number from 0 to ${cap}` }],
      }),
    };
  }
  return { ok: true, waitMs: value };
}

/**
 * GET /api/jobs/{id}[?waitMs=]: the job once it has finished or waitMs has passed (a bounded
 * long-poll of its row: no LISTEN, so it works through a transaction-mode pooler), with what a
 * pending job waits on (`waiting`: its sleeps, event waits and children).
 */
export async function jobResponse(queue: Queue, id: string, waitMs: number, signal?: AbortSignal): Promise<Response> {
  const found = await waitForJob(queue.engine(), id, { waitMs, signal });
  if (!found) return problem(404, "not_found", `no job ${JSON.stringify(id)}`);
  const waiting = found.status === "pending" ? await jobWaits(queue.engine(), found.id) : [];
  return json({ ...jobJson(found), waiting });
}
