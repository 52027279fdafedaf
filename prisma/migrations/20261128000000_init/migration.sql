-- cronbound: the job table, the demo outbox, and the indexes the engine's queries use.

CREATE TYPE "job_status" AS ENUM ('pending', 'processing', 'completed', 'failed', 'cancelled');

CREATE TABLE "jobs" (
    "id" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "job_status" NOT NULL DEFAULT 'pending',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 3,
    "timeout_ms" INTEGER NOT NULL,
    "locked_at" TIMESTAMPTZ(3),
    "locked_by" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "result" JSONB,
    "progress" JSONB,
    "idempotency_key" TEXT,
    "depends_on" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id"),
    -- Invariants the engine relies on; a bug that breaks one fails loudly instead of corrupting state.
    CONSTRAINT "jobs_type_check" CHECK (char_length("type") BETWEEN 1 AND 200),
    CONSTRAINT "jobs_max_attempts_check" CHECK ("max_attempts" BETWEEN 1 AND 1000),
    CONSTRAINT "jobs_attempts_check" CHECK ("attempts" >= 0 AND "attempts" <= "max_attempts"),
    CONSTRAINT "jobs_timeout_check" CHECK ("timeout_ms" > 0),
    -- A processing job always has a whole lease; no other status holds one.
    CONSTRAINT "jobs_lease_check" CHECK (
        ("status" = 'processing') = ("locked_by" IS NOT NULL AND "locked_at" IS NOT NULL AND "locked_until" IS NOT NULL)
        AND ("status" = 'processing' OR ("locked_by" IS NULL AND "locked_at" IS NULL AND "locked_until" IS NULL))
    ),
    CONSTRAINT "jobs_finished_check" CHECK (("status" IN ('completed', 'failed', 'cancelled')) = ("finished_at" IS NOT NULL))
);

CREATE UNIQUE INDEX "jobs_idempotency_key_key" ON "jobs"("idempotency_key");

-- The claim: `WHERE status = 'pending' AND NOT blocked AND run_at <= now ORDER BY priority, run_at, id`.
-- Partial, so its size follows the pending backlog, not the table: a claim costs the same with ten
-- finished rows or ten million.
CREATE INDEX "jobs_claim_idx" ON "jobs"("priority", "run_at", "id") WHERE "status" = 'pending' AND NOT "blocked";

-- The rescue: `WHERE status = 'processing' AND locked_until < now`.
CREATE INDEX "jobs_lease_idx" ON "jobs"("locked_until") WHERE "status" = 'processing';

CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "job_id" BIGINT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);
