"use server";

import { after } from "next/server";
import { z } from "zod";
import { ACTIVATED, onboarding } from "@/lib/job-types/onboarding";
import { processUpload } from "@/lib/job-types/process-upload";
import { sendEmail } from "@/lib/job-types/send-email";
import { kick } from "cronbound/next";
import { queue } from "@/lib/cronbound";
import { demoOn, demoRefusal, statusToken, statusTokenValid } from "@/lib/demo";
import type { EnqueueState, EventState, JobStatusView } from "./_components/types";

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

// These actions are public POST endpoints (any page's form can be replayed by anyone): outside
// development they are off unless DEMO_ENABLED=1, and each enqueue is rate-limited per client and
// in total (lib/demo.ts, docs/SECURITY.md). The off switch is checked before anything else.
const OFF = "The demo is off on this deployment (its operator can turn it on with DEMO_ENABLED=1). Nothing was written.";
const LIMITED = "Too many demo jobs from here or in total: try again in a few minutes. Nothing was written.";

/** Enqueue, then kick after the response is sent: the job starts now, not at the next cron minute. */
async function enqueueAndKick(
  type: "send-email" | "process-upload" | "onboarding",
  payload: z.output<typeof sendEmail.schema> | z.output<typeof processUpload.schema> | z.output<typeof onboarding.schema>,
  values: Record<string, string>,
): Promise<EnqueueState> {
  try {
    const refused = await demoRefusal();
    if (refused) return { kind: "error", message: refused === "off" ? OFF : LIMITED, values };
    const { job } = await queue.enqueue(type, payload as never);
    // 90 s: this page's maxDuration (app/page.tsx); the kick lives within it on Vercel.
    after(() => kick(queue, job, { maxDuration: 90 }));
    // The token lets this browser (and only whoever holds it) follow the job: getJobStatus.
    return { kind: "enqueued", job: { id: job.id, type: job.type, status: job.status, token: statusToken(job.id) } };
  } catch (err) {
    console.error(`[cronbound] enqueueing ${type} from the demo page failed:`, err);
    return { kind: "error", message: "The job could not be enqueued (the database may be unavailable). Nothing was written; try again.", values };
  }
}

export async function enqueueSendEmail(_prev: EnqueueState, form: FormData): Promise<EnqueueState> {
  if (!demoOn()) return { kind: "error", message: OFF, values: {} };
  const values = { to: text(form, "to"), subject: text(form, "subject"), body: text(form, "body") };
  const parsed = sendEmail.schema.safeParse({ ...values, body: values.body || undefined });
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  return enqueueAndKick("send-email", parsed.data, values);
}

export async function enqueueProcessUpload(_prev: EnqueueState, form: FormData): Promise<EnqueueState> {
  if (!demoOn()) return { kind: "error", message: OFF, values: {} };
  const values = { fileId: text(form, "fileId") };
  const parsed = processUpload.schema.safeParse(values);
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  return enqueueAndKick("process-upload", parsed.data, values);
}

export async function enqueueOnboarding(_prev: EnqueueState, form: FormData): Promise<EnqueueState> {
  if (!demoOn()) return { kind: "error", message: OFF, values: {} };
  const values = { email: text(form, "email"), name: text(form, "name") };
  const parsed = onboarding.schema.safeParse({ email: values.email, name: values.name || undefined });
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  return enqueueAndKick("onboarding", parsed.data, values);
}

const activationSchema = z.object({ email: z.email() });

/**
 * "The user activated": resumes the onboarding jobs waiting for this address (their
 * waitForEvent matches on it). Webhooks do the same through POST /api/jobs/events.
 */
export async function sendActivation(_prev: EventState, form: FormData): Promise<EventState> {
  if (!demoOn()) return { kind: "error", message: OFF, values: {} };
  const values = { email: text(form, "email") };
  const parsed = activationSchema.safeParse(values);
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    const refused = await demoRefusal();
    if (refused) return { kind: "error", message: refused === "off" ? OFF : LIMITED, values };
    const sent = await queue.sendEvent(ACTIVATED, { email: parsed.data.email });
    return { kind: "sent", resumed: sent.resumed, email: parsed.data.email };
  } catch (err) {
    console.error("[cronbound] sending an activation from the demo page failed:", err);
    return { kind: "error", message: "The event could not be sent (the database may be unavailable). Try again.", values };
  }
}

/**
 * What the demo page shows while a job runs: status, attempts, a numeric progress and what a
 * pending job waits on (no payload, result, error text or progress object), and only to whoever
 * holds the job's token from its enqueue: ids are sequential, tokens are not guessable.
 * Anything else (the demo off, a wrong or missing token, no such job): null.
 */
export async function getJobStatus(id: string, token: string): Promise<JobStatusView | null> {
  if (!demoOn() || typeof id !== "string" || !statusTokenValid(id, token)) return null;
  const job = await queue.getJob(id);
  if (!job) return null;
  // A pending job with waits (a sleep, an event, a child job) is shown as waiting, on what only.
  const waits = job.status === "pending" ? (await queue.getSteps(job.id)).filter((s) => s.status === "waiting").map((s) => s.kind) : [];
  const progress = typeof job.progress === "number" ? job.progress : null;
  return { id: job.id, status: job.status, attempts: job.attempts, progress, waitingOn: waits.length ? waits.join(", ") : null };
}
