import { errorFields } from "../logger.ts";
import { AttemptMetrics, FLUSH_INTERVAL_MS, foldOldMinutes } from "./attempt-metrics.ts";
import type { Engine } from "./context.ts";
import type { Outcome } from "./execute.ts";
import type { Settled } from "./tick/settle.ts";
import { TickTrace, waitMs, type TickSpanOptions } from "./tracing.ts";
import type { Job, TickReport } from "./types.ts";

/**
 * What a tick reports to the outside world besides its TickReport: OpenTelemetry spans
 * (tracing.ts) and the attempt metrics (attempt-metrics.ts). The tick calls these hooks; none
 * of them can fail the tick (a metrics write that fails is logged and retried at the next flush).
 */
export interface TickObserver {
  claim(limit: number, run: () => Promise<Job[]>): Promise<Job[]>;
  execute<T>(job: Job, start: () => T): T;
  settled(job: Job, settled: Settled, outcome: Outcome, runMs: number): void;
  end(report: TickReport | undefined, error?: unknown): Promise<void>;
}

// Folding is needed once in a while, not every tick: at most once a minute per schema and process.
const lastFold = new Map<string, number>();

export function observeTick(e: Engine, o: TickSpanOptions & { now?: Date; maintenance: boolean }): TickObserver {
  const trace = new TickTrace(o);
  const metrics = new AttemptMetrics(e, o.now);
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    try {
      await metrics.flush();
    } catch (err) {
      e.log.warn({ event: "metrics_flush_failed", ...errorFields(err) }, "writing attempt metrics failed; they are kept for the next flush");
    }
  };
  return {
    claim: (limit, run) => trace.claim(limit, run),
    execute: (job, start) => trace.execute(job, start),
    settled(job, settled, outcome, runMs) {
      trace.settled(job, settled, "error" in outcome ? outcome.error : undefined);
      metrics.record(job.type, settled, waitMs(job), runMs);
      timer ??= setInterval(() => void flush(), FLUSH_INTERVAL_MS).unref();
    },
    async end(report, error) {
      clearInterval(timer);
      await flush();
      if (o.maintenance && error === undefined && Date.now() - (lastFold.get(e.t.schema) ?? 0) >= 60_000) {
        lastFold.set(e.t.schema, Date.now());
        await foldOldMinutes(e, o.now).catch((err) =>
          e.log.warn({ event: "metrics_fold_failed", ...errorFields(err) }, "folding old attempt metrics failed; the next tick tries again"),
        );
      }
      trace.end(report, error);
    },
  };
}
