-- cronbound 0004: flow control (docs/FLOW-CONTROL.md). Per-key concurrency limits and rate limits
-- enforced in the claim, fair claiming across keys, debounce at enqueue, and limits changed at run
-- time. Jobs of a type without limits are untouched: they keep flow_key NULL and the claim's index.

-- The key a limited type's job is counted under: what its `key` function returned at enqueue, or ''
-- when the type is limited as a whole. NULL for every job of a type without limits.
ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD COLUMN "flow_key" TEXT;
ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD CONSTRAINT "jobs_flow_key_check" CHECK (char_length("flow_key") <= 200);

-- A debounced job's key while it is pending and not yet claimed (the claim clears it): a second
-- enqueue with the same type and key meets this row through jobs_debounce_idx and collapses into it.
ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD COLUMN "debounce_key" TEXT;
ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD CONSTRAINT "jobs_debounce_key_check" CHECK (char_length("debounce_key") BETWEEN 1 AND 200);
CREATE UNIQUE INDEX "jobs_debounce_idx" ON :CRONBOUND_SCHEMA."jobs"("type", "debounce_key") WHERE "status" = 'pending' AND "debounce_key" IS NOT NULL;

-- The plain claim keeps its key and plan; its predicate gains `flow_key IS NULL`, so limited jobs
-- never sit in its way. Limited jobs have their own index, by type and key: the flow claim walks
-- the distinct keys of a type and reads the head of each key from here.
DROP INDEX :CRONBOUND_SCHEMA."jobs_claim_idx";
CREATE INDEX "jobs_claim_idx" ON :CRONBOUND_SCHEMA."jobs"("priority", "run_at", "id") WHERE "status" = 'pending' AND NOT "blocked" AND "flow_key" IS NULL;
CREATE INDEX "jobs_flow_claim_idx" ON :CRONBOUND_SCHEMA."jobs"("type", "flow_key", "priority", "run_at", "id") WHERE "status" = 'pending' AND NOT "blocked" AND "flow_key" IS NOT NULL;
-- Running jobs per type and key: what a concurrency limit counts.
CREATE INDEX "jobs_flow_running_idx" ON :CRONBOUND_SCHEMA."jobs"("type", "flow_key") WHERE "status" = 'processing' AND "flow_key" IS NOT NULL;

-- Limits set at run time (queue.setLimit, `cronbound limits set`), overriding the code's numbers
-- until cleared. NULL: the code's declaration holds.
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD COLUMN "concurrency_limit" INTEGER;
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD COLUMN "rate_limit" INTEGER;
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD COLUMN "rate_period_ms" INTEGER;
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD CONSTRAINT "type_settings_concurrency_limit_check" CHECK ("concurrency_limit" BETWEEN 1 AND 100000);
ALTER TABLE :CRONBOUND_SCHEMA."type_settings" ADD CONSTRAINT "type_settings_rate_limit_check"
    CHECK (("rate_limit" IS NULL) = ("rate_period_ms" IS NULL) AND "rate_limit" BETWEEN 1 AND 1000000 AND "rate_period_ms" BETWEEN 1 AND 86400000);

-- Starts of rate-limited jobs, one row per claim, stamped with the database clock. A rate limit
-- counts the rows of its window (sliding: the last periodMs). Maintenance deletes rows older than
-- the longest window in use.
CREATE TABLE :CRONBOUND_SCHEMA."flow_starts" (
    "type" TEXT NOT NULL,
    "flow_key" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL
);
CREATE INDEX "flow_starts_key_idx" ON :CRONBOUND_SCHEMA."flow_starts"("type", "flow_key", "started_at");
CREATE INDEX "flow_starts_started_at_idx" ON :CRONBOUND_SCHEMA."flow_starts"("started_at");

-- Fair claiming: when each key of a limited type was last served (a number from flow_turn_seq,
-- larger is later). The claim serves the keys least recently served first: round robin.
CREATE SEQUENCE :CRONBOUND_SCHEMA."flow_turn_seq";
CREATE TABLE :CRONBOUND_SCHEMA."flow_keys" (
    "type" TEXT NOT NULL,
    "flow_key" TEXT NOT NULL,
    "turn" BIGINT NOT NULL,
    "served_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "flow_keys_pkey" PRIMARY KEY ("type", "flow_key")
);
CREATE INDEX "flow_keys_served_at_idx" ON :CRONBOUND_SCHEMA."flow_keys"("served_at");
