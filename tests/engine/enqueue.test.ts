import type pg from "pg";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createQueue, EnqueueError, MAX_PAYLOAD_BYTES, silentLogger } from "cronbound";
import { engineOf, enqueue, enqueueMany, type Engine } from "cronbound/engine";
import { prismaExecutor } from "cronbound/prisma";
import { createDatabase } from "../../lib/db.ts";
import { useTestDatabase } from "../helpers/db.ts";
import { testRegistry } from "../helpers/registry.ts";

const t = useTestDatabase();
let e: Engine;
beforeAll(() => {
  e = engineOf(t.queue(testRegistry));
});
beforeEach(async () => {
  await t.sql("TRUNCATE jobs, outbox");
});

const count = async () => (await t.sql<{ n: number }>("SELECT count(*)::int AS n FROM jobs"))[0].n;

async function rejected(p: Promise<unknown>): Promise<EnqueueError> {
  const err = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(err).toBeInstanceOf(EnqueueError);
  return err as EnqueueError;
}

describe("enqueue", () => {
  it("inserts a pending job with the type's defaults", async () => {
    const { job, created } = await enqueue(e, "work", { ms: 5 });
    expect(created).toBe(true);
    expect(job).toMatchObject({ type: "work", payload: { ms: 5 }, status: "pending", attempts: 0, maxAttempts: 3, timeoutMs: 5_000, priority: 0 });
    expect(await count()).toBe(1);
  });

  it("delays with delayMs and schedules with runAt, from the database clock", async () => {
    const now = new Date("2031-01-01T00:00:00Z");
    const delayed = await enqueue(e, "noop", {}, { delayMs: 90_000, now });
    expect(delayed.job.runAt.toISOString()).toBe("2031-01-01T00:01:30.000Z");
    const at = await enqueue(e, "noop", {}, { runAt: "2031-02-03T04:05:06.789Z" });
    expect(at.job.runAt.toISOString()).toBe("2031-02-03T04:05:06.789Z");
  });

  describe("bad input: a clear error and zero rows", () => {
    const cases: [string, () => Promise<unknown>, string, RegExp][] = [
      ["an unknown type", () => enqueue(e, "no-such-type", {}), "unknown_type", /unknown job type "no-such-type" \(known: noop, work/],
      ["a payload failing its schema", () => enqueue(e, "work", { ms: "fast" }), "invalid_payload", /payload\.ms: .*expected number/],
      ["a missing payload", () => enqueue(e, "work", undefined), "invalid_payload", /invalid payload for job type "work"/],
      ["a negative delay", () => enqueue(e, "noop", {}, { delayMs: -1 }), "invalid_options", /options\.delayMs/],
      ["a fractional priority", () => enqueue(e, "noop", {}, { priority: 1.5 }), "invalid_options", /options\.priority/],
      ["maxAttempts of zero", () => enqueue(e, "noop", {}, { maxAttempts: 0 }), "invalid_options", /options\.maxAttempts/],
      ["a string maxAttempts", () => enqueue(e, "noop", {}, { maxAttempts: "3" as never }), "invalid_options", /options\.maxAttempts/],
      ["an unparseable runAt", () => enqueue(e, "noop", {}, { runAt: "next tuesday" }), "invalid_options", /options\.runAt/],
      ["runAt and delayMs together", () => enqueue(e, "noop", {}, { runAt: new Date(), delayMs: 5 }), "invalid_options", /runAt or delayMs, not both/],
      ["an unknown option", () => enqueue(e, "noop", {}, { retries: 5 } as never), "invalid_options", /options/],
      ["an empty idempotency key", () => enqueue(e, "noop", {}, { idempotencyKey: "" }), "invalid_options", /options\.idempotencyKey/],
      ["a dependency that does not exist", () => enqueue(e, "noop", {}, { dependsOn: ["999999"] }), "invalid_options", /do not exist: 999999/],
      ["a malformed dependency id", () => enqueue(e, "noop", {}, { dependsOn: ["1; DROP TABLE jobs"] }), "invalid_options", /dependsOn/],
      ["an oversized payload", () => enqueue(e, "noop", { n: 1, text: "x".repeat(MAX_PAYLOAD_BYTES) }), "too_large", /the limit is 262144/],
    ];
    it.each(cases)("%s", async (_name, call, code, message) => {
      const err = await rejected(call());
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(await count()).toBe(0);
    });

  });

  it("an unknown payload key is stripped by the schema, never stored", async () => {
    const { job } = await enqueue(e, "work", { ms: 1, extra: "<script>" } as never);
    expect(job.payload).toEqual({ ms: 1 });
  });

  it("a repeated idempotency key returns the existing job and writes nothing", async () => {
    const first = await enqueue(e, "noop", { n: 1 }, { idempotencyKey: "order-42" });
    const second = await enqueue(e, "noop", { n: 2 }, { idempotencyKey: "order-42" });
    expect(second.created).toBe(false);
    expect(second.job.id).toBe(first.job.id);
    expect(second.job.payload).toEqual({ n: 1 });
    expect(await count()).toBe(1);
  });

  it("two concurrent enqueues with the same key, on separate connections, produce one row", async () => {
    const clients = Array.from({ length: 8 }, () => engineOf(t.queue(testRegistry, {}, { pool: t.newPool(1) })));
    for (let round = 0; round < 5; round++) {
      const key = `race-${round}`;
      const results = await Promise.all(clients.map((c, i) => enqueue(c, "noop", { n: i }, { idempotencyKey: key })));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    }
    expect(await count()).toBe(5);
  });

  it("joins the caller's pg transaction: the job commits or rolls back with the app's writes", async () => {
    const q = t.queue(testRegistry);
    const inTransaction = async (fn: (tx: pg.PoolClient) => Promise<void>) => {
      const client = await t.pool.connect();
      try {
        await client.query("BEGIN");
        await fn(client);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw err;
      } finally {
        client.release();
      }
    };
    await inTransaction(async (tx) => {
      await tx.query("INSERT INTO public.outbox (job_id, \"to\", subject) VALUES (0, 'a@b.co', 'kept')");
      await q.enqueue("noop", { n: 1 }, { tx });
    });
    expect(await count()).toBe(1);
    await expect(
      inTransaction(async (tx) => {
        await tx.query("INSERT INTO public.outbox (job_id, \"to\", subject) VALUES (0, 'a@b.co', 'rolled back')");
        await q.enqueue("noop", { n: 2 }, { tx });
        throw new Error("the app's own write failed");
      }),
    ).rejects.toThrow("the app's own write failed");
    expect(await count()).toBe(1);
    expect((await t.sql<{ subject: string }>("SELECT subject FROM outbox")).map((r) => r.subject)).toEqual(["kept"]);
  });

  it("joins the caller's Prisma $transaction (the app's own client, as lib/cronbound.ts wires it)", async () => {
    const app = createDatabase(t.url, { max: 2 });
    try {
      const appQueue = createQueue({ db: prismaExecutor(app.prisma, { pool: app.pool }), registry: testRegistry, config: { production: false }, logger: silentLogger });
      await app.prisma.$transaction(async (tx) => {
        await tx.outbox.create({ data: { jobId: 0n, to: "a@b.co", subject: "kept" } });
        await appQueue.enqueue("noop", { n: 1 }, { tx });
      });
      expect(await count()).toBe(1);
      await expect(
        app.prisma.$transaction(async (tx) => {
          await tx.outbox.create({ data: { jobId: 0n, to: "a@b.co", subject: "rolled back" } });
          await appQueue.enqueue("noop", { n: 2 }, { tx });
          throw new Error("the app's own write failed");
        }),
      ).rejects.toThrow("the app's own write failed");
      expect(await count()).toBe(1);
      expect((await app.prisma.outbox.findMany()).map((r) => r.subject)).toEqual(["kept"]);
    } finally {
      await app.close();
    }
  });

  it("enqueueMany inserts a batch in one statement, in order", async () => {
    const ids = await enqueueMany(e, Array.from({ length: 300 }, (_, n) => ({ type: "noop", payload: { n } })));
    expect(ids).toHaveLength(300);
    const rows = await t.sql<{ id: string; n: number }>("SELECT id::text, (payload->>'n')::int AS n FROM jobs ORDER BY jobs.id");
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 300 }, (_, n) => n));
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it("enqueueMany writes nothing when any item is invalid, and names the item", async () => {
    const err = await rejected(
      enqueueMany(e, [
        { type: "noop", payload: { n: 1 } },
        { type: "work", payload: { ms: -5 } },
      ]),
    );
    expect(err.code).toBe("invalid_payload");
    expect(err.issues[0].path).toEqual([1, "payload", "ms"]);
    expect(await count()).toBe(0);
  });

  it("enqueueMany skips items whose idempotency key exists", async () => {
    await enqueue(e, "noop", {}, { idempotencyKey: "a" });
    const ids = await enqueueMany(e, [
      { type: "noop", payload: {}, options: { idempotencyKey: "a" } },
      { type: "noop", payload: {}, options: { idempotencyKey: "b" } },
    ]);
    expect(ids).toHaveLength(1);
    expect(await count()).toBe(2);
  });

  it("stores hostile strings as data", async () => {
    const nasty = `'); DROP TABLE jobs; -- \u0000\u202e ${"é".repeat(50)}`.replace("\u0000", "");
    const { job } = await enqueue(e, "noop", {}, { idempotencyKey: nasty });
    expect(job.idempotencyKey).toBe(nasty);
    expect(await count()).toBe(1);
  });
});
