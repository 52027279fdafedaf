import { z } from "zod";
import { defineJob, sleep } from "cronbound";
import { db } from "../db.ts";

/** Simulated sending time, ms (the article's ~1 s). Tests shorten it. */
export const demoDelayMs = () => Number(process.env.DEMO_JOB_DELAY_MS ?? 1000);

/**
 * The article's first example. Sending is simulated: the "email" is written to the outbox
 * table, so its effect can be checked (and a doubled run would show as a doubled row).
 */
export const sendEmail = defineJob({
  name: "send-email",
  schema: z.object({
    to: z.email(),
    subject: z.string().min(1).max(200),
    body: z.string().max(10_000).optional(),
  }),
  timeoutMs: 10_000,
  maxAttempts: 5,
  backoff: { baseMs: 2_000 },
  async handler(payload, { signal, job }) {
    await sleep(demoDelayMs(), signal);
    const row = await db().outbox.create({
      data: { jobId: BigInt(job.id), to: payload.to, subject: payload.subject, body: payload.body ?? null },
    });
    return { outboxId: row.id.toString() };
  },
});
