-- cronbound: cron schedules, and the indexes that dependencies, dead jobs and retention use.
-- Every index here is partial, so none of them grows with the pending backlog's neighbours:
-- jobs_claim_idx (the claim's index) is untouched and still sees only claimable rows.

CREATE TABLE "schedules" (
    "name" TEXT NOT NULL,
    "cron" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "backfill" INTEGER NOT NULL DEFAULT 0,
    "next_run_at" TIMESTAMPTZ(3),
    "last_run_at" TIMESTAMPTZ(3),
    "last_job_id" BIGINT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "schedules_pkey" PRIMARY KEY ("name"),
    CONSTRAINT "schedules_name_check" CHECK ("name" ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$'),
    CONSTRAINT "schedules_type_check" CHECK (char_length("type") BETWEEN 1 AND 200),
    CONSTRAINT "schedules_backfill_check" CHECK ("backfill" BETWEEN 0 AND 100)
);

-- fireDueSchedules: `WHERE next_run_at <= now ORDER BY next_run_at`. NULL = never fires again.
CREATE INDEX "schedules_next_run_at_idx" ON "schedules"("next_run_at");

-- Dependencies: the maintenance sweep walks blocked jobs (`status = 'pending' AND blocked`), and the
-- tick and cancelJob find the dependents of given jobs (`depends_on && ARRAY[ids]`). Both are
-- partial on blocked jobs, so they cost nothing when no job waits on another.
CREATE INDEX "jobs_blocked_idx" ON "jobs"("id") WHERE "status" = 'pending' AND "blocked";
CREATE INDEX "jobs_depends_on_idx" ON "jobs" USING GIN ("depends_on") WHERE "status" = 'pending' AND "blocked";

-- Dead jobs: retryJobs by type (`WHERE type = $1 AND status IN ('failed', 'cancelled')`) and the
-- dashboard's list of dead jobs.
CREATE INDEX "jobs_dead_idx" ON "jobs"("type", "id") WHERE "status" IN ('failed', 'cancelled');

-- Retention: `WHERE status = $1 AND finished_at < $2 ... LIMIT n`, one range per finished status.
CREATE INDEX "jobs_finished_idx" ON "jobs"("status", "finished_at") WHERE "status" IN ('completed', 'failed', 'cancelled');
