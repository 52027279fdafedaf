// Rows for the dashboard to show, written with plain SQL so every status (and a history of
// finished jobs over the last hour) can be arranged without running that history.

type Sql = <T extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]) => Promise<T[]>;

export interface Seeded {
  pending: string[];
  processing: string[];
  completed: string[];
  failed: string[];
  cancelled: string[];
}

const email = (n: number) => JSON.stringify({ to: `user${n}@example.com`, subject: `Invoice #${1000 + n}` });

/**
 * A small, exactly known database: 3 pending (due tomorrow, so no tick takes them),
 * 1 processing (lease held for an hour), 4 completed and 2 failed within the last hour,
 * 1 cancelled. All `send-email` except one failed `process-upload`.
 */
export async function seedKnownCounts(sql: Sql): Promise<Seeded> {
  const ids = async (text: string) => (await sql<{ id: string }>(`${text} RETURNING id::text AS id`)).map((r) => r.id);
  const pending = await ids(`
    INSERT INTO jobs (type, payload, status, timeout_ms, run_at)
    SELECT 'send-email', jsonb_build_object('to', 'later' || g || '@example.com', 'subject', 'Reminder'), 'pending', 10000, now() + interval '1 day'
    FROM generate_series(1, 3) g`);
  const processing = await ids(`
    INSERT INTO jobs (type, payload, status, attempts, timeout_ms, locked_by, locked_at, locked_until, started_at)
    VALUES ('send-email', '${email(1)}', 'processing', 1, 10000, 'worker-a', now(), now() + interval '1 hour', now())`);
  const completed = await ids(`
    INSERT INTO jobs (type, payload, status, attempts, timeout_ms, result, started_at, finished_at)
    SELECT 'send-email', jsonb_build_object('to', 'done' || g || '@example.com', 'subject', 'Welcome'), 'completed', 1, 10000,
           jsonb_build_object('outboxId', g::text), now() - g * interval '5 minutes', now() - g * interval '5 minutes'
    FROM generate_series(1, 4) g`);
  const failed = await ids(`
    INSERT INTO jobs (type, payload, status, attempts, max_attempts, timeout_ms, last_error, errors, started_at, finished_at)
    VALUES
      ('send-email', '${email(2)}', 'failed', 3, 3, 10000, 'SMTP 550: mailbox unavailable',
       '[{"attempt":1,"error":"connect ETIMEDOUT","at":"2026-01-01T00:00:00.000Z"},{"attempt":2,"error":"SMTP 421: try again later","at":"2026-01-01T00:00:05.000Z"},{"attempt":3,"error":"SMTP 550: mailbox unavailable","at":"2026-01-01T00:00:25.000Z"}]',
       now() - interval '3 minutes', now() - interval '3 minutes'),
      ('process-upload', '{"fileId":"f-broken"}', 'failed', 1, 3, 60000, 'unsupported image format: image/x-tga',
       '[{"attempt":1,"error":"unsupported image format: image/x-tga","at":"2026-01-01T00:00:00.000Z"}]',
       now() - interval '8 minutes', now() - interval '8 minutes')`);
  const cancelled = await ids(`
    INSERT INTO jobs (type, payload, status, timeout_ms, last_error, finished_at)
    VALUES ('send-email', '${email(3)}', 'cancelled', 10000, 'cancelled by user', now() - interval '20 minutes')`);
  return { pending, processing, completed, failed, cancelled };
}

/**
 * What a busy hour looks like, for the committed screenshot: ~8,000 finished jobs over the
 * last hour (traffic picking up, with a burst of failures twenty minutes ago), jobs scheduled
 * for later, a few running, cancelled and failed jobs with realistic errors. Nothing is due, so
 * a tick leaves all of it alone.
 */
export async function seedBusyHour(sql: Sql): Promise<void> {
  await sql(`
    INSERT INTO jobs (type, payload, status, attempts, max_attempts, timeout_ms, last_error, errors, result, run_at, created_at, started_at, finished_at)
    SELECT type,
           CASE WHEN type = 'send-email' THEN jsonb_build_object('to', 'customer' || g || '@example.com', 'subject', 'Your receipt')
                ELSE jsonb_build_object('fileId', 'upload-' || g) END,
           CASE WHEN failed THEN 'failed'::job_status ELSE 'completed'::job_status END,
           CASE WHEN failed THEN 3 ELSE 1 END, 3,
           CASE WHEN type = 'send-email' THEN 10000 ELSE 60000 END,
           CASE WHEN failed THEN err END,
           CASE WHEN failed THEN jsonb_build_array(
             jsonb_build_object('attempt', 1, 'error', 'connect ETIMEDOUT 203.0.113.7:587', 'at', t - interval '42 seconds'),
             jsonb_build_object('attempt', 2, 'error', err, 'at', t - interval '18 seconds'),
             jsonb_build_object('attempt', 3, 'error', err, 'at', t)) ELSE '[]'::jsonb END,
           CASE WHEN failed THEN NULL ELSE jsonb_build_object('ok', true) END,
           t - interval '2 seconds', t - interval '2 seconds', t - interval '1 second', t
    FROM (
      SELECT g, t,
             CASE WHEN g % 4 = 0 THEN 'process-upload' ELSE 'send-email' END AS type,
             -- a steady 1 % of failures, and a burst (an SMTP outage) 18-22 minutes ago
             (g % 97 = 0) OR (t BETWEEN now() - interval '22 minutes' AND now() - interval '18 minutes' AND g % 4 = 1) AS failed,
             CASE WHEN g % 4 = 0 THEN 'unsupported image format: image/heic'
                  WHEN t BETWEEN now() - interval '22 minutes' AND now() - interval '18 minutes' THEN 'SMTP 421 4.7.0 smtp.example.net: try again later (connection limit)'
                  ELSE 'SMTP 550 5.1.1 <customer@example.com>: recipient address rejected' END AS err
      FROM (
        SELECT g, now() - (random() * interval '60 minutes') AS t FROM generate_series(1, 8000) g
      ) r
      -- thin the older half of the hour so the chart shows traffic picking up
      WHERE random() < 0.45 + 0.55 * (1 - extract(epoch FROM now() - t) / 3600)
    ) s`);
  await sql(`
    INSERT INTO jobs (type, payload, status, timeout_ms, run_at)
    SELECT 'send-email', jsonb_build_object('to', 'trial' || g || '@example.com', 'subject', 'Your trial ends tomorrow'), 'pending', 10000,
           now() + g * interval '10 minutes'
    FROM generate_series(1, 36) g`);
  await sql(`
    INSERT INTO jobs (type, payload, status, attempts, timeout_ms, locked_by, locked_at, locked_until, started_at, progress)
    SELECT 'process-upload', jsonb_build_object('fileId', 'video-' || g), 'processing', 1, 60000,
           'iad1-worker-' || g, now(), now() + interval '75 seconds', now() - g * interval '7 seconds', to_jsonb(g / 5.0)
    FROM generate_series(1, 4) g`);
  await sql(`
    INSERT INTO jobs (type, payload, status, timeout_ms, last_error, finished_at)
    SELECT 'send-email', jsonb_build_object('to', 'unsubscribed' || g || '@example.com', 'subject', 'Newsletter'), 'cancelled', 10000,
           'recipient unsubscribed', now() - g * interval '4 minutes'
    FROM generate_series(1, 12) g`);
  await sql(`ANALYZE jobs`);
}
