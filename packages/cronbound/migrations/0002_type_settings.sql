-- cronbound 0002: settings per job type that operators change at run time, without a deploy
-- (a paused type, limits that override the code's declaration). One row per type that has any;
-- a type without a row runs as its code declares. Each feature adds its own columns.
CREATE TABLE :CRONBOUND_SCHEMA."type_settings" (
    "type" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "type_settings_pkey" PRIMARY KEY ("type"),
    CONSTRAINT "type_settings_type_check" CHECK (char_length("type") BETWEEN 1 AND 200)
);
