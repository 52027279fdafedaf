-- cronbound 0003: what the dashboard's sign-in and an app's public actions need to hold in the
-- database: server-side sessions, and fixed-window counters for rate limits (docs/SECURITY.md).

-- A dashboard session. The cookie holds a random id (32 bytes); this table holds only its
-- HMAC under the dashboard secret, so a database reader cannot rebuild a cookie and changing the
-- secret ends every session. Signing out deletes the row; so does expiry (pruned at sign-in).
CREATE TABLE :CRONBOUND_SCHEMA."sessions" (
    "id_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id_hash"),
    CONSTRAINT "sessions_id_hash_check" CHECK (char_length("id_hash") BETWEEN 16 AND 128)
);
CREATE INDEX "sessions_expires_idx" ON :CRONBOUND_SCHEMA."sessions" ("expires_at");

-- Rate limits: one row per key and window (a fixed window, e.g. 15 minutes), counted with one
-- upsert; a key names what is limited and for whom ("dashboard-signin:client:203.0.113.9",
-- "dashboard-signin:all"). Windows a day old are deleted as new ones are counted.
CREATE TABLE :CRONBOUND_SCHEMA."rate_limits" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key", "window_start"),
    CONSTRAINT "rate_limits_key_check" CHECK (char_length("key") BETWEEN 1 AND 300)
);
CREATE INDEX "rate_limits_window_idx" ON :CRONBOUND_SCHEMA."rate_limits" ("window_start");
