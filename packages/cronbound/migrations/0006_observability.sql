-- cronbound 0006: what operators watch and steer with. The trace context each job was enqueued
-- under, paused job types, and per-minute counts of attempts (outcomes, wait and run times) that
-- the metrics route and the dashboard read.

-- The W3C traceparent of the span active at enqueue (docs/OBSERVABILITY.md), so the span of each
-- attempt links back to the request that enqueued the job. NULL without an OpenTelemetry SDK.
ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD COLUMN "traceparent" TEXT;
ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD CONSTRAINT "jobs_traceparent_check"
    CHECK ("traceparent" ~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$');

-- A paused type is never claimed (every claim filters it out); its jobs still enqueue and wait.
-- NULL paused_at: the type runs.
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD COLUMN "paused_at" TIMESTAMPTZ(3);
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD COLUMN "paused_reason" TEXT;
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD CONSTRAINT "type_settings_paused_reason_check"
    CHECK (char_length("paused_reason") <= 500);

-- Attempt metrics, one row per (minute, type, series): `outcome` rows count settled attempts by
-- outcome (key = completed, retry, failed, ...); `wait` and `run` rows are histogram buckets (key =
-- the bucket's upper bound in ms, or '+Inf') and `wait_sum`/`run_sum` their sums in ms. Each tick
-- adds its counts in one upsert when it ends. Minutes older than two hours are folded into the
-- row of minute '-infinity', so the sum over all rows only ever grows (Prometheus counters) while
-- the last hour stays readable minute by minute (the dashboard's percentiles).
CREATE TABLE :CRONBOUND_SCHEMA."attempt_metrics" (
    "minute" TIMESTAMPTZ(0) NOT NULL,
    "type" TEXT NOT NULL,
    "series" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "attempt_metrics_pkey" PRIMARY KEY ("minute", "type", "series", "key"),
    CONSTRAINT "attempt_metrics_series_check" CHECK ("series" IN ('outcome', 'wait', 'run', 'wait_sum', 'run_sum'))
);
