// OpenTelemetry with the SDK's in-memory exporter registered in this process, as an app's
// instrumentation would: a server action's span is the link target of the job attempt's span;
// tick, claim and attempt spans carry the documented attributes (docs/OBSERVABILITY.md).
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { copyFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { artifactPath, DOCS, launchBrowser } from "../browser/browser.ts";
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

  it("the exported spans of one request, drawn as a waterfall (docs/trace.png)", async () => {
    const queue = t.queue(testRegistry);
    const app = trace.getTracer("app");
    await app.startActiveSpan("POST /checkout (server action placeOrder)", { kind: SpanKind.SERVER }, async (span) => {
      await queue.enqueue("work", { ms: 30 });
      await queue.enqueue("noop", { n: 1 });
      span.end();
    });
    await new Promise((r) => setTimeout(r, 40)); // the next cron tick comes a little later
    await app.startActiveSpan("GET /api/jobs/tick", { kind: SpanKind.SERVER }, async (span) => {
      await queue.runTick({ budgetMs: 10_000, workerId: "iad1-7f3a", skipMaintenance: true });
      span.end();
    });
    const all = exporter.getFinishedSpans();
    const t0 = Math.min(...all.map((s) => s.startTime[0] * 1e3 + s.startTime[1] / 1e6));
    const ms = (hr: [number, number]) => hr[0] * 1e3 + hr[1] / 1e6 - t0;
    const end = Math.max(...all.map((s) => ms(s.endTime)));
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    const depth = (s: ReadableSpan): number => (parentId(s) && byId.get(parentId(s)!) ? 1 + depth(byId.get(parentId(s)!)!) : 0);
    // Tree order: each span after its parent, siblings by start time.
    const byStart = (a: ReadableSpan, b: ReadableSpan) => ms(a.startTime) - ms(b.startTime);
    const children = (id: string | undefined) => all.filter((s) => (id ? parentId(s) === id : !parentId(s) || !byId.get(parentId(s)!))).sort(byStart);
    const order: ReadableSpan[] = [];
    const walk = (id?: string) => children(id).forEach((s) => (order.push(s), walk(s.spanContext().spanId)));
    walk();
    const kinds = ["internal", "server", "client", "producer", "consumer"];
    const esc = (x: string) => x.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
    const rows = order.map((s) => {
      const left = (ms(s.startTime) / end) * 100;
      const width = Math.max(0.4, ((ms(s.endTime) - ms(s.startTime)) / end) * 100);
      const link = s.links[0] ? byId.get(s.links[0].context.spanId) : undefined;
      const attrs = Object.entries(s.attributes)
        .filter(([k]) => /message.id|destination|outcome|wait_ms|claimed|completed|batch/.test(k))
        .map(([k, v]) => `${k}=${v}`).join("  ");
      return `<tr><td style="padding-left:${8 + depth(s) * 18}px"><b>${esc(s.name)}</b> <i>${kinds[s.kind]}</i>
        ${link ? `<div class="link">↪ link: ${esc(link.name)}</div>` : ""}<div class="attrs">${esc(attrs)}</div></td>
        <td class="lane"><div class="bar k${s.kind}" style="left:${left}%;width:${width}%"></div>
        <span class="ms" style="left:${Math.min(left + width, 88)}%">${(ms(s.endTime) - ms(s.startTime)).toFixed(1)} ms</span></td></tr>`;
    });
    const html = `<!doctype html><meta charset="utf-8"><style>
      body{font:13px system-ui,sans-serif;margin:16px;color:#1b1f24} table{border-collapse:collapse;width:100%}
      td{border-bottom:1px solid #e3e6ea;padding:6px 8px;vertical-align:top} td:first-child{width:46%}
      i{color:#5b6470;font-size:11px} .attrs{color:#5b6470;font:11px ui-monospace,monospace;margin-top:2px} .link{color:#9a6700;font-size:12px}
      .lane{position:relative} .bar{position:absolute;top:9px;height:14px;border-radius:3px;background:#8c959f}
      .k1{background:#2457c5}.k2{background:#6f42c1}.k3{background:#1f7a3a}.k4{background:#b35900}
      .ms{position:absolute;top:26px;font-size:11px;color:#5b6470;margin-left:4px}
      h1{font-size:16px}</style>
      <h1>Spans exported by the OpenTelemetry SDK (InMemorySpanExporter) for one server action and the tick that ran its jobs, ${end.toFixed(0)} ms</h1>
      <table>${rows.join("")}</table>`;
    const file = artifactPath("trace.html");
    writeFileSync(file, html);
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1200, height: 400 }, deviceScaleFactor: 1 })).newPage();
      await page.goto(`file://${file}`);
      await page.screenshot({ path: artifactPath("trace.png"), fullPage: true });
    } finally {
      await browser.close();
    }
    if (process.env.UPDATE_SCREENSHOT === "1") copyFileSync(artifactPath("trace.png"), path.join(DOCS, "trace.png"));
    // What the picture shows: both attempts link to the action, and ran in the tick.
    const action = one("POST /checkout (server action placeOrder)");
    for (const name of ["execute work", "execute noop"]) {
      expect(one(name).links[0].context.spanId).toBe(action.spanContext().spanId);
      expect(parentId(one(name))).toBe(one("cronbound tick").spanContext().spanId);
    }
  });
});
