import { z } from "zod";
import { defineJob } from "cronbound";
import { db } from "../db.ts";

/** The event the demo page's "Activate" button sends (POST /api/jobs/events does the same for webhooks). */
export const ACTIVATED = "user.activated";

/**
 * Pauses of the sequence. A real app waits days (a welcome, two days later a follow-up unless
 * the user activated); the demo sleeps DEMO_ONBOARDING_PAUSE_MS (5 s), then waits three times
 * that for the activation.
 */
export const onboardingPauseMs = () => Number(process.env.DEMO_ONBOARDING_PAUSE_MS ?? 5_000);
export const onboardingWaitMs = () => 3 * onboardingPauseMs();

/**
 * A durable, multi-step job (docs/STEPS.md): each step's result is stored, so a retry or a
 * resumption in a later tick replays what is done instead of doing it again; the sleep and
 * the wait hold no lease and no connection.
 *   1. invoke: the welcome email is a child `send-email` job (its own retries); the sequence waits for it
 *   2. sleep: pause
 *   3. waitForEvent: did the user activate? (an activation sent during the pause is kept for the
 *      5-minute event window, so it is not lost)
 *   4. step: no activation within the wait: a follow-up email, written to the outbox once
 */
export const onboarding = defineJob({
  name: "onboarding",
  schema: z.object({ email: z.email(), name: z.string().trim().min(1).max(100).optional() }),
  timeoutMs: 30_000,
  maxAttempts: 5,
  async handler(payload, ctx) {
    const greeting = payload.name ? `Welcome, ${payload.name}` : "Welcome";
    const welcome = await ctx.invoke<{ outboxId: string }>("welcome", "send-email", { to: payload.email, subject: greeting });
    await ctx.sleep("pause", onboardingPauseMs());
    const activation = await ctx.waitForEvent<{ email: string }>("activation", {
      event: ACTIVATED,
      match: { email: payload.email },
      timeoutMs: onboardingWaitMs(),
    });
    if (activation) return { welcome: welcome.outboxId, activated: true, followUp: null };
    const followUp = await ctx.step(
      "follow-up",
      async () => {
        const row = await db().outbox.create({
          data: { jobId: BigInt(ctx.job.id), to: payload.email, subject: "Need a hand getting started?" },
        });
        return row.id.toString();
      },
      { timeoutMs: 10_000 },
    );
    return { welcome: welcome.outboxId, activated: false, followUp };
  },
});
