import { z } from "zod";
import { ChildJobFailed, createRegistry, defineJob, NonRetryableError, sleep, type Executor } from "cronbound";

// Job types for the durable-step tests. Each step's side effect is a row in the app's `outbox`
// (the crash test) or in `step_effects`, written inside the step, so a test counts how often
// each step really ran, independently of the engine's own rows.

export const STEP_EFFECTS_SQL = `CREATE TABLE IF NOT EXISTS public.step_effects (
  id bigserial PRIMARY KEY, job_id bigint NOT NULL, attempt int NOT NULL, kind text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(), local_ms bigint)`;

async function effect(db: Executor, jobId: string, attempt: number, kind: string) {
  await db.execute("INSERT INTO public.step_effects (job_id, attempt, kind, local_ms) VALUES ($1::bigint, $2, $3, $4)", [jobId, attempt, kind, Date.now()]);
}

/**
 * Five steps, each "sending" one outbox row. On its first attempt it hangs after step 3 (its
 * worker is about to be SIGKILLed); later attempts run straight through.
 */
export const fiveSteps = defineJob({
  name: "five-steps",
  schema: z.object({ hangMs: z.number().int().min(0) }),
  timeoutMs: 60_000,
  maxAttempts: 3,
  async handler(payload, ctx) {
    const sent: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const id = await ctx.step(
        `send-${i}`,
        async () => {
          const [row] = await ctx.db.query<{ id: string }>(
            `INSERT INTO public.outbox (job_id, "to", subject) VALUES ($1::bigint, 'crash@example.com', $2) RETURNING id::text`,
            [ctx.job.id, `step-${i}`],
          );
          return row.id;
        },
        { timeoutMs: 5_000 },
      );
      sent.push(id);
      if (i === 3 && ctx.job.attempts === 1) await sleep(payload.hangMs, ctx.signal);
    }
    return { sent };
  },
});

/** `n` steps of `ms` each, declared at `stepTimeoutMs`: a job longer than any one tick. */
export const manySteps = defineJob({
  name: "many-steps",
  schema: z.object({ n: z.number().int().min(1), ms: z.number().int().min(0), stepTimeoutMs: z.number().int().min(1) }),
  timeoutMs: 1_600,
  maxAttempts: 1,
  async handler(p, ctx) {
    let total = 0;
    for (let i = 0; i < p.n; i++) {
      total += await ctx.step(
        `s${i}`,
        async ({ signal }) => {
          await sleep(p.ms, signal);
          await effect(ctx.db, ctx.job.id, ctx.job.attempts, `s${i}`);
          return 1;
        },
        { timeoutMs: p.stepTimeoutMs },
      );
    }
    return { total };
  },
});

/** A step, a sleep, another step. */
export const sleeper = defineJob({
  name: "sleeper",
  schema: z.object({ ms: z.number().int().optional(), until: z.string().optional() }),
  timeoutMs: 5_000,
  async handler(p, ctx) {
    await ctx.step("before", () => effect(ctx.db, ctx.job.id, ctx.job.attempts, "before"), { timeoutMs: 1_000 });
    await ctx.sleep("nap", p.until ? new Date(p.until) : (p.ms as number));
    await ctx.step("after", () => effect(ctx.db, ctx.job.id, ctx.job.attempts, "after"), { timeoutMs: 1_000 });
    return "rested";
  },
});

/** Waits for an event; records what it got. */
export const waiter = defineJob({
  name: "waiter",
  schema: z.object({ event: z.string(), match: z.record(z.string(), z.unknown()).optional(), timeoutMs: z.number().int() }),
  timeoutMs: 5_000,
  async handler(p, ctx) {
    const got = await ctx.waitForEvent("wait", { event: p.event, match: p.match, timeoutMs: p.timeoutMs });
    await ctx.step("record", () => effect(ctx.db, ctx.job.id, ctx.job.attempts, `got:${JSON.stringify(got)}`), { timeoutMs: 1_000 });
    return { got };
  },
});

export const child = defineJob({
  name: "child",
  schema: z.object({ n: z.number().int(), fail: z.boolean().default(false) }),
  timeoutMs: 5_000,
  maxAttempts: 2,
  backoff: { baseMs: 1, jitter: 0 },
  async handler(p, ctx) {
    await effect(ctx.db, ctx.job.id, ctx.job.attempts, "child-ran");
    if (p.fail) throw new Error(`child ${p.n} cannot do it`);
    return { doubled: p.n * 2 };
  },
});

/** Invokes `children` children at once and sums their results; `catch` turns a child's failure into a result. */
export const parent = defineJob({
  name: "parent",
  schema: z.object({ children: z.number().int().min(1), failAt: z.number().int().optional(), catch: z.boolean().default(false) }),
  timeoutMs: 5_000,
  maxAttempts: 3,
  async handler(p, ctx) {
    try {
      const results = await Promise.all(
        Array.from({ length: p.children }, (_, i) => ctx.invoke<{ doubled: number }>(`child-${i}`, "child", { n: i, fail: i === p.failAt })),
      );
      const sum = results.reduce((n, r) => n + r.doubled, 0);
      await ctx.step("done", () => effect(ctx.db, ctx.job.id, ctx.job.attempts, `sum:${sum}`), { timeoutMs: 1_000 });
      return { sum };
    } catch (err) {
      if (p.catch && err instanceof ChildJobFailed) return { caught: err.message, childId: err.childId };
      throw err;
    }
  },
});

/** Step "a", then fails on its first attempt; later attempts replay "a" and finish. A failing step "b" fails once too. */
export const retryAfterStep = defineJob({
  name: "retry-after-step",
  schema: z.object({}),
  timeoutMs: 5_000,
  maxAttempts: 3,
  backoff: { baseMs: 1, jitter: 0 },
  async handler(_p, ctx) {
    const a = await ctx.step("a", async () => {
      await effect(ctx.db, ctx.job.id, ctx.job.attempts, "a");
      return { at: new Date("2030-01-01T00:00:00Z"), n: 1, gone: undefined };
    }, { timeoutMs: 1_000 });
    if (ctx.job.attempts === 1) throw new Error("after a, before b");
    const b = await ctx.step("b", async () => {
      await effect(ctx.db, ctx.job.id, ctx.job.attempts, "b");
      if (ctx.job.attempts === 2) throw new Error("b fails once");
      return "b";
    }, { timeoutMs: 1_000 });
    return { a, b, sameShape: typeof a.at };
  },
});

/** Catches everything around its sleep and returns: the sleep still decides the attempt. */
export const swallower = defineJob({
  name: "swallower",
  schema: z.object({}),
  timeoutMs: 5_000,
  async handler(_p, ctx) {
    try {
      await ctx.sleep("nap", 3_600_000);
    } catch {
      // a handler that catches everything, JobSuspended included
    }
    return "returned early";
  },
});

/** Misuses the step API in one of several ways, for the bad-input cases. */
export const misuse = defineJob({
  name: "misuse",
  schema: z.object({ how: z.string() }),
  timeoutMs: 5_000,
  maxAttempts: 3,
  async handler(p, ctx) {
    switch (p.how) {
      case "empty-id":
        return ctx.step("", () => 1);
      case "long-id":
        return ctx.step("x".repeat(201), () => 1);
      case "unserializable":
        return ctx.step("big-int", () => ({ n: 10n }));
      case "cyclic": {
        const o: Record<string, unknown> = {};
        o.self = o;
        return ctx.step("cyclic", () => o);
      }
      case "too-large":
        return ctx.step("huge", () => "x".repeat(70_000));
      case "past-sleep":
        return ctx.sleep("nap", new Date(Date.now() - 60_000));
      case "negative-sleep":
        return ctx.sleep("nap", -5);
      case "long-event":
        return ctx.waitForEvent("wait", { event: "e".repeat(201), timeoutMs: 1_000 });
      case "duplicate-id":
        await ctx.step("same", () => 1, { timeoutMs: 1_000 });
        return ctx.step("same", () => 2, { timeoutMs: 1_000 });
      case "unknown-child":
        return ctx.invoke("kid", "no-such-type", {});
      default:
        throw new NonRetryableError(`unknown case ${p.how}`);
    }
  },
});

export const stepRegistry = createRegistry([fiveSteps, manySteps, sleeper, waiter, child, parent, retryAfterStep, swallower, misuse]);
