// OpenTelemetry with the SDK's in-memory exporter registered in this process, as an app's
// instrumentation would: a server action's span is the link target of the job attempt's span;
// tick, claim and attempt spans carry the documented attributes (docs/OBSERVABILITY.md).
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EFFECTS_SQL, testRegistry } from "../helpers/registry.ts";
import { useTestDatabase } from "../helpers/db.ts";

const t = useTestDatabase();
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager().enable();

beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(contextManager);
  await t.sql(EFFECTS_SQL);
});
afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});
beforeEach(async () => {
  exporter.reset();
  await t.sql("TRUNCATE jobs, effects, attempt_metrics RESTART IDENTITY");
});

const spans = (name: string | RegExp) => exporter.getFinishedSpans().filter((s) => (typeof name === "string" ? s.name === name : name.test(s.name)));
const one = (name: string) => {
  const found = spans(name);
  expect(found.map((s) => s.name), `exactly one span "${name}"`).toEqual([name]);
  return found[0];
};
const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe("spans with an SDK registered", () => {
  it("the attempt's span links to the server action's span that enqueued the job, 'ran N ms later on this tick'", async () => {
    const queue = t.queue(testRegistry);
    const app = trace.getTracer("app");
    // What Next's instrumentation does around a server action: a span active while it runs.
    const { jobId, action } = await app.startActiveSpan("server action enqueueSendEmail", { kind: SpanKind.SERVER }, async (span) => {
      const { job } = await queue.enqueue("noop", { n: 7 });
      span.end();
      return { jobId: job.id, action: span.spanContext() };
    });
    const [row] = await t.sql<{ traceparent: string }>("SELECT traceparent FROM jobs WHERE id = $1", [jobId]);
    expect(row.traceparent).toBe(`00-${action.traceId}-${action.spanId}-01`);

    const enqueue = one("enqueue noop");
    expect(enqueue.kind).toBe(SpanKind.PRODUCER);
    expect(enqueue.spanContext().traceId).toBe(action.traceId);
    expect(parentId(enqueue)).toBe(action.spanId);
    expect(enqueue.attributes).toMatchObject({
      "messaging.system": "cronbound", "messaging.operation.type": "send", "messaging.operation.name": "enqueue",
      "messaging.destination.name": "noop", "messaging.message.id": jobId,
    });

    const report = await queue.runTick({ budgetMs: 10_000, workerId: "w-trace", skipMaintenance: true });
    expect(report.completed).toBe(1);

    const attempt = one("execute noop");
    const tick = one("cronbound tick");
    expect(attempt.kind).toBe(SpanKind.CONSUMER);
    expect(attempt.links).toHaveLength(1);
    expect(attempt.links[0].context).toMatchObject({ traceId: action.traceId, spanId: action.spanId, isRemote: true });
    // The attempt ran on this tick: its parent is the tick's span, in the tick's trace.
    expect(parentId(attempt)).toBe(tick.spanContext().spanId);
    expect(attempt.spanContext().traceId).toBe(tick.spanContext().traceId);
    const [timing] = await t.sql<{ wait: number }>("SELECT (extract(epoch FROM started_at - run_at) * 1000)::float8 AS wait FROM jobs WHERE id = $1", [jobId]);
    expect(attempt.attributes).toMatchObject({
      "messaging.system": "cronbound", "messaging.operation.type": "process", "messaging.operation.name": "execute",
      "messaging.destination.name": "noop", "messaging.message.id": jobId, "messaging.client.id": "w-trace",
      "cronbound.job.attempt": 1, "cronbound.job.max_attempts": 3, "cronbound.job.outcome": "completed",
    });
    // Wait time: due (run_at) to claim (locked_at = started_at on a first attempt), database times.
    expect(attempt.attributes["cronbound.job.wait_ms"]).toBeCloseTo(timing.wait, 0);
    expect(attempt.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it("tick and claim spans carry the documented attributes; a failing attempt's span is an error", async () => {
    const queue = t.queue(testRegistry);
    await queue.enqueueMany([
      ...Array.from({ length: 5 }, (_, n) => ({ type: "noop", payload: { n } })),
      { type: "failing", payload: { permanent: true } },
    ]);
    const batch = one("enqueue (batch)");
    expect(batch.attributes).toMatchObject({ "messaging.batch.message_count": 6, "cronbound.enqueue.created": 6 });
    // No span was active: each job links to the batch's own enqueue span.
    const stored = await t.sql<{ traceparent: string }>("SELECT DISTINCT traceparent FROM jobs");
    expect(stored).toEqual([{ traceparent: `00-${batch.spanContext().traceId}-${batch.spanContext().spanId}-01` }]);

    const report = await queue.runTick({ budgetMs: 10_000, workerId: "w-attrs", batchSize: 4, concurrency: 4, skipMaintenance: true });
    expect(report).toMatchObject({ claimed: 6, completed: 5, failed: 1 });

    const tick = one("cronbound tick");
    expect(tick.attributes).toMatchObject({
      "messaging.system": "cronbound", "messaging.client.id": "w-attrs", "cronbound.tick.budget_ms": 10_000,
      "cronbound.tick.claimed": 6, "cronbound.tick.completed": 5, "cronbound.tick.failed": 1, "cronbound.tick.retried": 0,
      "cronbound.tick.rescued": 0, "cronbound.tick.lost": 0, "cronbound.tick.skipped_for_budget": 0,
    });
    expect(tick.attributes["cronbound.tick.duration_ms"]).toBe(report.durationMs);

    const claims = spans("claim");
    expect(claims.length).toBeGreaterThanOrEqual(2); // 6 jobs, at most 4 per claim
    for (const c of claims) {
      expect(parentId(c)).toBe(tick.spanContext().spanId);
      expect(c.kind).toBe(SpanKind.CLIENT);
      expect(c.attributes).toMatchObject({ "messaging.operation.type": "receive", "messaging.operation.name": "claim", "messaging.client.id": "w-attrs" });
      expect(c.attributes["cronbound.claim.limit"]).toBeLessThanOrEqual(4);
    }
    expect(claims.reduce((n, c) => n + (c.attributes["messaging.batch.message_count"] as number), 0)).toBe(6);

    const failed = one("execute failing");
    expect(failed.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "NonRetryableError: the address does not exist" });
    expect(failed.attributes).toMatchObject({ "cronbound.job.outcome": "failed", "error.type": "job_failed" });
    expect(spans("execute noop")).toHaveLength(5);
  });

  it("a handler's own spans nest under its attempt's span", async () => {
    const { createRegistry, defineJob } = await import("cronbound");
    const { z } = await import("zod");
    const nested = defineJob({
      name: "nested",
      schema: z.object({}),
      timeoutMs: 1_000,
      handler: async () => {
        await new Promise((r) => setTimeout(r, 5));
        trace.getTracer("app").startActiveSpan("send the email", (s) => s.end());
      },
    });
    const queue = t.queue(createRegistry([nested]));
    await queue.enqueue("nested", {});
    await queue.runTick({ budgetMs: 10_000, skipMaintenance: true });
    expect(parentId(one("send the email"))).toBe(one("execute nested").spanContext().spanId);
  });
});
