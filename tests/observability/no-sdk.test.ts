// Without an OpenTelemetry SDK (this file's process registers none), nothing breaks and no
// trace context is stored; with a provider whose spans never record (an SDK that samples
// nothing), the engine starts one no-op span per enqueue and per tick, and none per claim or job.
import { context, INVALID_SPAN_CONTEXT, ProxyTracerProvider, trace, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { EFFECTS_SQL, testRegistry } from "../helpers/registry.ts";
import { useTestDatabase } from "../helpers/db.ts";

const t = useTestDatabase();
beforeAll(() => t.sql(EFFECTS_SQL));
afterEach(() => trace.disable());

describe("no SDK registered", () => {
  it("enqueue, tick and every outcome work; traceparent stays NULL; no tick span records", async () => {
    const queue = t.queue(testRegistry);
    expect(trace.getActiveSpan()).toBeUndefined();
    await queue.enqueue("noop", { n: 1 });
    await queue.enqueueMany(Array.from({ length: 20 }, (_, n) => ({ type: "noop", payload: { n } })));
    await queue.enqueue("failing", { permanent: true });
    const report = await queue.runTick({ budgetMs: 10_000, skipMaintenance: true });
    expect(report).toMatchObject({ claimed: 22, completed: 21, failed: 1 });
    const [row] = await t.sql<{ n: number; traced: number }>("SELECT count(*)::int AS n, count(traceparent)::int AS traced FROM jobs");
    expect(row).toEqual({ n: 22, traced: 0 });
    // The attempt metrics are kept all the same (they do not depend on tracing).
    const [m] = await t.sql<{ v: number }>("SELECT sum(value)::int AS v FROM attempt_metrics WHERE series = 'outcome'");
    expect(m.v).toBe(22);
  });

  it("a provider whose spans never record: one startSpan per enqueue and per tick, none per claim or attempt", async () => {
    let started: string[] = [];
    const noop = new ProxyTracerProvider(); // the API's proxy with no SDK behind it: hands out no-op spans
    const counting: TracerProvider = {
      getTracer(name, version) {
        const inner = noop.getTracer(name, version);
        const tracer: Tracer = {
          startSpan(spanName, options, ctx) {
            started.push(spanName);
            const span = inner.startSpan(spanName, options, ctx);
            expect(span.isRecording()).toBe(false);
            expect(span.spanContext()).toEqual(INVALID_SPAN_CONTEXT);
            return span;
          },
          startActiveSpan: inner.startActiveSpan.bind(inner) as Tracer["startActiveSpan"],
        };
        return tracer;
      },
    };
    trace.setGlobalTracerProvider(counting);
    const queue = t.queue(testRegistry);
    await t.sql("TRUNCATE jobs RESTART IDENTITY");
    await queue.enqueueMany(Array.from({ length: 200 }, (_, n) => ({ type: "noop", payload: { n } })));
    for (let i = 0; i < 3; i++) await queue.enqueue("noop", { n: i });
    expect(started).toEqual(["enqueue noop", "enqueue noop", "enqueue noop", "enqueue noop"]);

    started = [];
    const report = await context.with(context.active(), () =>
      queue.runTick({ budgetMs: 10_000, concurrency: 10, batchSize: 10, skipMaintenance: true }),
    );
    expect(report.completed).toBe(203);
    // 203 jobs over at least 21 claims: still one span, the tick's.
    expect(started).toEqual(["cronbound tick"]);
    const [row] = await t.sql<{ traced: number }>("SELECT count(traceparent)::int AS traced FROM jobs");
    expect(row.traced).toBe(0);
  });
});
