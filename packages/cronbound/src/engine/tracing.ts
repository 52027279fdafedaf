import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
  type TracerProvider,
} from "@opentelemetry/api";
import type { Settled } from "./tick/settle.ts";
import type { Job, TickReport } from "./types.ts";

// OpenTelemetry spans through @opentelemetry/api alone: the app registers an SDK (or not); the
// engine only asks the global API for a tracer. Without an SDK every span is the API's no-op.
//
//   enqueue <type>   PRODUCER  around the INSERT; the context active at enqueue is stored with the job (traceparent)
//   cronbound tick   INTERNAL  one per runTick, the TickReport as attributes when it ends
//   claim            CLIENT    each claim statement of the tick, child of the tick
//   execute <type>   CONSUMER  each attempt, child of the tick, LINKED to the enqueue's context
//
// Attribute names follow OpenTelemetry's messaging conventions where one fits
// (messaging.system, messaging.operation.type/.name, messaging.destination.name,
// messaging.message.id, messaging.batch.message_count, messaging.client.id, error.type); the
// rest are cronbound.*. docs/OBSERVABILITY.md lists them.
//
// Cost without an SDK: one no-op span per enqueue and per tick (the API's NonRecordingSpan),
// and nothing per claimed job: the claim and attempt hooks return at once when the tick's span
// is not recording (no SDK, or the tick was not sampled: its children would not be either).

const TRACER = "cronbound";
// The tracer of the global provider, cached per provider object: trace.getTracer allocates a
// new ProxyTracer on every call while no SDK is set. Asked again whenever the provider object
// changes: an SDK registered through another copy of @opentelemetry/api (the app's, or Next's
// own) is found through the global registry, not through this copy's proxy.
let cached: { provider: TracerProvider; tracer: Tracer } | undefined;
function tracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER) };
  return cached.tracer;
}

export const MESSAGING_SYSTEM = "cronbound";

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A span context as a W3C traceparent header value (version 00). */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/** A stored traceparent as a remote span context, or undefined when it is not a valid one. */
export function parseTraceparent(value: string | null | undefined): SpanContext | undefined {
  const m = value ? TRACEPARENT.exec(value) : null;
  if (!m || m[1] === "ff") return undefined;
  const sc: SpanContext = { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16) & TraceFlags.SAMPLED, isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

function recordError(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.setAttribute("error.type", err instanceof Error ? err.name : "Error");
}

/**
 * Runs an enqueue (one job, or a batch) inside an `enqueue <type>` span and hands `insert` the
 * traceparent to store: the context active at enqueue (the server action's or request's span),
 * so the attempt's span links to the request that enqueued the job; with no active span (a
 * script, the CLI, a schedule), this enqueue span's own context; null when neither is valid.
 */
export async function tracedEnqueue<T>(
  type: string,
  count: number,
  insert: (traceparent: string | null) => Promise<T>,
  ids: (result: T) => string[],
): Promise<T> {
  const span = tracer().startSpan(`enqueue ${type}`, { kind: SpanKind.PRODUCER });
  const recording = span.isRecording();
  const active = trace.getActiveSpan()?.spanContext();
  const sc = active && isSpanContextValid(active) ? active : recording ? span.spanContext() : undefined;
  const traceparent = sc ? formatTraceparent(sc) : null;
  if (!recording) {
    span.end();
    return insert(traceparent);
  }
  span.setAttributes({
    "messaging.system": MESSAGING_SYSTEM,
    "messaging.operation.type": "send",
    "messaging.operation.name": "enqueue",
    "messaging.destination.name": type,
    ...(count !== 1 ? { "messaging.batch.message_count": count } : {}),
  });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), () => insert(traceparent));
    const created = ids(result);
    if (count === 1 && created[0]) span.setAttribute("messaging.message.id", created[0]);
    else span.setAttribute("cronbound.enqueue.created", created.length);
    return result;
  } catch (err) {
    recordError(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** What the tick's attempt spans need from the tick. */
export interface TickSpanOptions {
  workerId: string;
  budgetMs: number;
  types?: string[];
}

/**
 * The spans of one tick. Created when the tick starts; `end` closes it with the report.
 * While its span does not record, `claim` and `execute` call straight through.
 */
export class TickTrace {
  readonly recording: boolean;
  private readonly span: Span;
  private readonly ctx: Context;
  private readonly attempts = new Map<string, Span>();

  constructor(private readonly o: TickSpanOptions) {
    this.span = tracer().startSpan("cronbound tick", { kind: SpanKind.INTERNAL });
    this.recording = this.span.isRecording();
    this.ctx = this.recording ? trace.setSpan(context.active(), this.span) : context.active();
    if (this.recording) {
      this.span.setAttributes({
        "messaging.system": MESSAGING_SYSTEM,
        "messaging.client.id": o.workerId,
        "cronbound.tick.budget_ms": o.budgetMs,
        ...(o.types?.length ? { "cronbound.tick.types": o.types } : {}),
      });
    }
  }

  /** One claim statement, as a `claim` span with the number of jobs it took. */
  async claim(limit: number, run: () => Promise<Job[]>): Promise<Job[]> {
    if (!this.recording) return run();
    const span = tracer().startSpan(
      "claim",
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "messaging.system": MESSAGING_SYSTEM,
          "messaging.operation.type": "receive",
          "messaging.operation.name": "claim",
          "messaging.client.id": this.o.workerId,
          "cronbound.claim.limit": limit,
        },
      },
      this.ctx,
    );
    try {
      const jobs = await context.with(trace.setSpan(this.ctx, span), run);
      span.setAttribute("messaging.batch.message_count", jobs.length);
      return jobs;
    } catch (err) {
      recordError(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Starts the attempt's span (child of the tick, linked to the context the job was enqueued
   * under) and runs `start` in its context, so the handler's own spans (database, fetch) nest
   * under it.
   */
  execute<T>(job: Job, start: () => T): T {
    if (!this.recording) return start();
    const links: Link[] = [];
    const enqueued = parseTraceparent(job.traceparent);
    if (enqueued) links.push({ context: enqueued, attributes: { "cronbound.link": "enqueue" } });
    const attributes: Attributes = {
      "messaging.system": MESSAGING_SYSTEM,
      "messaging.operation.type": "process",
      "messaging.operation.name": "execute",
      "messaging.destination.name": job.type,
      "messaging.message.id": job.id,
      "messaging.client.id": this.o.workerId,
      "cronbound.job.attempt": job.attempts,
      "cronbound.job.max_attempts": job.maxAttempts,
      "cronbound.job.wait_ms": waitMs(job),
    };
    const span = tracer().startSpan(`execute ${job.type}`, { kind: SpanKind.CONSUMER, links, attributes }, this.ctx);
    this.attempts.set(job.id, span);
    return context.with(trace.setSpan(this.ctx, span), start);
  }

  /** The attempt ended: its outcome as it landed (or `lost`), and the error when there was one. */
  settled(job: Job, outcome: Settled, error: string | undefined): void {
    const span = this.attempts.get(job.id);
    if (!span) return;
    this.attempts.delete(job.id);
    span.setAttribute("cronbound.job.outcome", outcome);
    if (error !== undefined && (outcome === "failed" || outcome === "retry")) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.slice(0, 1000) });
      span.setAttribute("error.type", outcome === "failed" ? "job_failed" : "job_retry");
    }
    span.end();
  }

  /** The tick is over: its report as attributes, or the error it ended with. */
  end(report: TickReport | undefined, error?: unknown): void {
    if (!this.recording) return;
    for (const span of this.attempts.values()) span.end(); // only when the tick threw mid-way
    this.attempts.clear();
    if (report) {
      const attrs: Attributes = {};
      for (const [k, v] of Object.entries(report)) {
        if (typeof v === "number") attrs[`cronbound.tick.${snake(k)}`] = v;
      }
      for (const [k, v] of Object.entries(report.maintenance)) attrs[`cronbound.tick.maintenance.${snake(k)}`] = v;
      this.span.setAttributes(attrs);
    }
    if (error !== undefined) recordError(this.span, error);
    this.span.end();
  }
}

/** How long the attempt waited: from when it was due (runAt) to its claim (lockedAt), both database times. */
export function waitMs(job: Job): number {
  if (!job.lockedAt) return 0;
  return Math.max(0, new Date(job.lockedAt).getTime() - new Date(job.runAt).getTime());
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
