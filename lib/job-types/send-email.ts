import { z } from "zod";
import { defineJob, sleep } from "cronbound";
import { db } from "../db.ts";
import { env } from "../env.ts";

/** How long the outbox keeps what send-email wrote, ms (DEMO_OUTBOX_RETENTION_MS). */
const outboxRetentionMs = () => env().DEMO_OUTBOX_RETENTION_MS;

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
    // Retention: each send deletes up to 100 outbox rows older than DEMO_OUTBOX_RETENTION_MS
    // (default one day), so the table stays as small as the traffic of one day.
    await db().$executeRaw`
      DELETE FROM outbox WHERE id IN (
        SELECT id FROM outbox WHERE created_at < now() - ${outboxRetentionMs()} * interval '1 millisecond' ORDER BY id LIMIT 100)`;
    return { outboxId: row.id.toString() };
  },
});
