"use server";

import { after } from "next/server";
import { z } from "zod";
import { processUpload } from "@/lib/job-types/process-upload";
import { sendEmail } from "@/lib/job-types/send-email";
import { kick } from "cronbound/next";
import { queue } from "@/lib/cronbound";
import type { EnqueueState, JobStatusView } from "./_components/types";

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** Enqueue, then kick after the response is sent: the job starts now, not at the next cron minute. */
async function enqueueAndKick(
  type: "send-email" | "process-upload",
  payload: z.output<typeof sendEmail.schema> | z.output<typeof processUpload.schema>,
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

/**
 * What the demo page shows while a job runs: status, attempts and progress only (no payload,
 * result or error text), since this page is public where the dashboard is not.
 */
export async function getJobStatus(id: string): Promise<JobStatusView | null> {
  const job = await queue.getJob(String(id));
  return job ? { id: job.id, status: job.status, attempts: job.attempts, progress: job.progress } : null;
}
