-- cronbound 0005: durable steps. A handler's memoized steps and its waits (sleeps, waits for an
-- event, waits for a child job) are rows of `steps`; events sent with sendEvent are kept in
-- `events` for the event window; a child job names its parent in `jobs.parent_id`.
--
-- A waiting job is not a status of its own: it is `pending` with `run_at` at its wake time
-- (the sleep's end, the wait's timeout), and its `steps` row with status 'waiting' says what it
-- waits on. So claims stay on jobs_claim_idx exactly as for a delayed job (`run_at <= now`), a
-- waiting job holds no lease, and everything that already handles pending jobs (cancel, stats,
-- rescue, the dashboard's filters) handles it unchanged.

ALTER TABLE :CRONBOUND_SCHEMA."jobs" ADD COLUMN "parent_id" BIGINT;

CREATE TABLE :CRONBOUND_SCHEMA."steps" (
    "job_id" BIGINT NOT NULL,
    "step_id" TEXT NOT NULL,
    -- run: ctx.step; sleep: ctx.sleep; event: ctx.waitForEvent; invoke: ctx.invoke.
    "kind" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    -- The job's attempt that wrote the row (the attempt counter, which a continuation does not move).
    "attempt" INTEGER NOT NULL,
    "result" JSONB,
    "result_bytes" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER,
    -- sleep: when it ends; event: the wait's timeout; invoke: when the parent looks again anyway.
    "wake_at" TIMESTAMPTZ(3),
    "event" TEXT,
    "match" JSONB,
    -- The event that resumed the wait (NULL: resumed by its timeout, or still waiting).
    "event_id" BIGINT,
    "child_id" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    -- No foreign key to jobs: apps and tests TRUNCATE jobs, which a referencing table would
    -- refuse. Retention deletes a job's steps in the statement that deletes the job.
    CONSTRAINT "steps_pkey" PRIMARY KEY ("job_id", "step_id"),
    CONSTRAINT "steps_step_id_check" CHECK (char_length("step_id") BETWEEN 1 AND 200),
    CONSTRAINT "steps_kind_check" CHECK ("kind" IN ('run', 'sleep', 'event', 'invoke')),
    CONSTRAINT "steps_status_check" CHECK ("status" IN ('completed', 'failed', 'waiting')),
    -- Only a sleep, an event wait or an invoke waits, and a wait always knows until when.
    CONSTRAINT "steps_waiting_check" CHECK ("status" <> 'waiting' OR ("kind" <> 'run' AND "wake_at" IS NOT NULL)),
    CONSTRAINT "steps_finished_check" CHECK (("status" = 'waiting') = ("finished_at" IS NULL)),
    CONSTRAINT "steps_event_check" CHECK (("kind" = 'event') = ("event" IS NOT NULL)),
    CONSTRAINT "steps_child_check" CHECK (("kind" = 'invoke') = ("child_id" IS NOT NULL))
);

-- sendEvent: `WHERE status = 'waiting' AND kind = 'event' AND event = $name`. Partial, so it
-- holds only the waits in progress, however many steps have ever run.
CREATE INDEX "steps_waiting_event_idx" ON :CRONBOUND_SCHEMA."steps"("event") WHERE "status" = 'waiting' AND "kind" = 'event';

CREATE TABLE :CRONBOUND_SCHEMA."events" (
    "id" BIGSERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "events_name_check" CHECK (char_length("name") BETWEEN 1 AND 200)
);

-- A wait that begins looks back for an event sent within the event window:
-- `WHERE name = $1 AND created_at >= now - window ORDER BY created_at, id`.
CREATE INDEX "events_name_idx" ON :CRONBOUND_SCHEMA."events"("name", "created_at");
-- Maintenance deletes events older than the window: `WHERE created_at < now - window`.
CREATE INDEX "events_created_at_idx" ON :CRONBOUND_SCHEMA."events"("created_at");

-- A child job that finishes (completed, failed or cancelled, by whatever path: its tick, a
-- rescue, an operator, a cancelled dependency) wakes its parent if the parent is pending and
-- waits on it. In the child's own statement, so no path can miss it; the WHEN clause keeps it
-- off every job that is not a child. A parent about to wait locks its children FOR SHARE in
-- the same transaction as it goes pending (steps/store.ts), so a child finishing meanwhile is
-- either seen there or wakes the parent here.
CREATE FUNCTION :CRONBOUND_SCHEMA."wake_parent"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE :CRONBOUND_SCHEMA."jobs" p SET run_at = now(), updated_at = now()
    WHERE p.id = NEW.parent_id AND p.status = 'pending' AND p.run_at > now()
      AND EXISTS (SELECT 1 FROM :CRONBOUND_SCHEMA."steps" s
                  WHERE s.job_id = p.id AND s.child_id = NEW.id AND s.status = 'waiting');
    RETURN NULL;
END
$$;

CREATE TRIGGER "jobs_wake_parent" AFTER UPDATE OF "status" ON :CRONBOUND_SCHEMA."jobs"
    FOR EACH ROW
    WHEN (NEW.parent_id IS NOT NULL AND NEW.status IN ('completed', 'failed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION :CRONBOUND_SCHEMA."wake_parent"();
