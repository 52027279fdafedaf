"use server";

import { after } from "next/server";
import { z } from "zod";
import { ACTIVATED, onboarding } from "@/lib/job-types/onboarding";
import { processUpload } from "@/lib/job-types/process-upload";
import { sendEmail } from "@/lib/job-types/send-email";
import { kick } from "cronbound/next";
import { queue } from "@/lib/cronbound";
import type { EnqueueState, EventState, JobStatusView } from "./_components/types";

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** Enqueue, then kick after the response is sent: the job starts now, not at the next cron minute. */
async function enqueueAndKick(
  type: "send-email" | "process-upload" | "onboarding",
  payload: z.output<typeof sendEmail.schema> | z.output<typeof processUpload.schema> | z.output<typeof onboarding.schema>,
  values: Record<string, string>,
): Promise<EnqueueState> {
  try {
    const { job } = await queue.enqueue(type, payload as never);
    // 90 s: this page's maxDuration (app/page.tsx); the kick lives within it on Vercel.
    after(() => kick(queue, job, { maxDuration: 90 }));
    return { kind: "enqueued", job: { id: job.id, type: job.type, status: job.status } };
  } catch (err) {
    console.error(`[cronbound] enqueueing ${type} from the demo page failed:`, err);
    return { kind: "error", message: "The job could not be enqueued (the database may be unavailable). Nothing was written; try again.", values };
  }
}

export async function enqueueSendEmail(_prev: EnqueueState, form: FormData): Promise<EnqueueState> {
  const values = { to: text(form, "to"), subject: text(form, "subject"), body: text(form, "body") };
  const parsed = sendEmail.schema.safeParse({ ...values, body: values.body || undefined });
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  return enqueueAndKick("send-email", parsed.data, values);
}

export async function enqueueProcessUpload(_prev: EnqueueState, form: FormData): Promise<EnqueueState> {
  const values = { fileId: text(form, "fileId") };
  const parsed = processUpload.schema.safeParse(values);
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  return enqueueAndKick("process-upload", parsed.data, values);
}

export async function enqueueOnboarding(_prev: EnqueueState, form: FormData): Promise<EnqueueState> {
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
  const values = { email: text(form, "email") };
  const parsed = activationSchema.safeParse(values);
  if (!parsed.success) return { kind: "invalid", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    const sent = await queue.sendEvent(ACTIVATED, { email: parsed.data.email });
    return { kind: "sent", resumed: sent.resumed, email: parsed.data.email };
  } catch (err) {
    console.error("[cronbound] sending an activation from the demo page failed:", err);
    return { kind: "error", message: "The event could not be sent (the database may be unavailable). Try again.", values };
  }
}

/**
 * What the demo page shows while a job runs: status, attempts and progress only (no payload,
 * result or error text), since this page is public where the dashboard is not.
 */
export async function getJobStatus(id: string): Promise<JobStatusView | null> {
  const job = await queue.getJob(String(id));
  if (!job) return null;
  // A pending job with waits (a sleep, an event, a child job) is shown as waiting, on what only.
  const waits = job.status === "pending" ? (await queue.getSteps(job.id)).filter((s) => s.status === "waiting").map((s) => s.kind) : [];
  return { id: job.id, status: job.status, attempts: job.attempts, progress: job.progress, waitingOn: waits.length ? waits.join(", ") : null };
}
