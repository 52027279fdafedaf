-- The reference app's own table: the demo `send-email` job writes here instead of sending mail.
-- IF NOT EXISTS: a database set up before the engine moved into its own schema already has it
-- (cronbound's migrate moves only the engine's tables out of public).
CREATE TABLE IF NOT EXISTS "outbox" (
    "id" BIGSERIAL NOT NULL,
    "job_id" BIGINT NOT NULL,
    "to" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "body" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);
