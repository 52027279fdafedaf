// The crash soak: real worker processes (the `cronbound worker` bin with the app's queue, what
// `npm run worker` and the Procfile run) and, when an app URL is given, concurrent cron ticks
// over HTTP drain a backlog of send-email jobs while a chaos loop SIGKILLs a random worker
// every 1-2 s and starts a new one (and, with `freeze`, now and then stops one past its leases
// and resumes it: a slow worker). The outbox (the demo job's side effect) records every
// execution that got as far as "sending".
//
// At the end it checks, from the database and the workers' logs:
//   - nothing lost or stuck: every enqueued job is completed, or failed with its attempts spent;
//   - exactly-once completion: no job was completed twice (workers' logs), and each completed
//     job's result points at its own outbox row, written by the attempt that completed it;
//   - at-least-once execution, with duplicates explained: a job ran more than once only when a
//     lease of it was lost (its error history says "lease expired"); the report counts them.
//
// Short leases (a 1 s job timeout plus a small grace) make a killed worker's jobs come back
// within about a second. Nothing sleeps to let leases expire at the end: the leases of killed
// workers are backdated, which is exactly what their expiry would do.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { createQueue, MAX_BATCH, silentLogger } from "cronbound";
import { pgExecutor } from "cronbound/pg";
import { registry } from "../../lib/job-types/index.ts";

const root = path.resolve(import.meta.dirname, "../..");
/** The installed bin (node_modules/.bin/cronbound), run by node as the Procfile's shebang would. */
const BIN = path.join(root, "node_modules", ".bin", "cronbound");

export interface SoakOptions {
  /** A migrated, empty database (its jobs and outbox tables are truncated first). */
  databaseUrl: string;
  jobs: number;
  /** Worker processes alive at any time. */
  workers?: number;
  /** A running app (next start) to call GET /api/jobs/tick on, with its CRON_SECRET. */
  app?: { url: string; secret: string };
  /** Concurrent HTTP tick loops against the app. */
  httpTicks?: number;
  /**
   * Start the HTTP ticks only after the first kill, so a short run cannot be drained by the
   * ticks alone before the chaos begins (the CI size on a fast machine).
   */
  httpAfterFirstKill?: boolean;
  /** Every third chaos event freezes a worker past its leases instead of killing it. */
  freeze?: boolean;
  /** Chaos: an event every killEveryMs[0]..killEveryMs[1] ms. */
  killEveryMs?: [number, number];
  /** Simulated sending time of each job (DEMO_JOB_DELAY_MS). */
  jobMs?: number;
  /** Per-job timeout; the lease is this plus leaseGraceMs. */
  jobTimeoutMs?: number;
  leaseGraceMs?: number;
  concurrency?: number;
  /** Give up (and report what is stuck) after this long. */
  maxDurationMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  jobs: number;
  completed: number;
  failed: number;
  /** Enqueued jobs not completed or failed at the end (must be 0), and jobs missing from the table. */
  notFinished: number;
  missing: number;
  workersStarted: number;
  workersKilled: number;
  /** Workers stopped (SIGSTOP) past their leases and resumed (SIGCONT). */
  workersFrozen: number;
  /** Workers stopped with SIGTERM at the end that exited 0. */
  gracefulExits: number;
  httpTicks: number;
  httpTickFailures: number;
  /** Attempts claimed (sum of `attempts` over all jobs). */
  attempts: number;
  /** Leases that expired (a killed worker's job), from the jobs' error histories. */
  leasesExpired: number;
  /** Executions that reached the side effect (outbox rows). */
  executions: number;
  jobsExecutedMoreThanOnce: number;
  duplicateExecutions: number;
  /** ...of which after an attempt whose lease expired (its worker was killed mid-job). */
  duplicatesAfterLostLease: number;
  /** ...of which after an attempt that timed out but whose handler still wrote its effect. */
  duplicatesAfterTimeout: number;
  /** Duplicate executions with no ended attempt to explain them: must be 0. */
  unexplainedDuplicates: number;
  /** Finalize writes refused by the fence (a stale attempt), from logs and tick reports. */
  lostFinalizes: number;
  /** Jobs completed twice according to the workers' logs: must be 0. */
  doubleCompletions: number;
  durationMs: number;
  jobsPerSecond: number;
  violations: string[];
}

interface Worker {
  id: string;
  proc: ChildProcess;
  /** It logged "worker_started": its signal handlers are installed. */
  started: boolean;
  /** It has finished a job: it is connected and ticking, so killing it now tests something. */
  ready: boolean;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const rand = (a: number, b: number) => a + Math.random() * (b - a);

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const nWorkers = o.workers ?? 4;
  const jobMs = o.jobMs ?? 20;
  const timeoutMs = o.jobTimeoutMs ?? 2_000;
  const graceMs = o.leaseGraceMs ?? 500;
  const [killMin, killMax] = o.killEveryMs ?? [1_000, 2_000];
  const maxDurationMs = o.maxDurationMs ?? 600_000;
  const sql = new pg.Pool({ connectionString: o.databaseUrl, max: 3 });
  sql.on("error", () => {}); // an idle connection dropped with the database at the end
  const q = async <T extends pg.QueryResultRow>(text: string, params?: unknown[]) => (await sql.query<T>(text, params)).rows;

  await q("TRUNCATE cronbound.jobs, outbox RESTART IDENTITY");
  // The backlog goes in through a queue with the app's job types (validated like any enqueue),
  // on this function's own small pool; the workers run the app's queue (lib/cronbound.ts).
  const queue = createQueue({ db: pgExecutor(sql), registry, config: { production: false }, logger: silentLogger });
  for (let from = 0; from < o.jobs; from += MAX_BATCH) {
    const items = Array.from({ length: Math.min(MAX_BATCH, o.jobs - from) }, (_, i) => ({
      type: "send-email",
      payload: { to: `user${from + i}@example.com`, subject: `soak ${from + i}` },
      options: { timeoutMs, maxAttempts: 5 },
    }));
    await queue.enqueueMany(items);
  }
  log(`enqueued ${o.jobs} send-email jobs (timeout ${timeoutMs} ms, lease ${timeoutMs + graceMs} ms, ${jobMs} ms each)`);

  const started = Date.now();
  const live = new Map<string, Worker>();
  const killed = new Set<string>();
  const completions = new Map<string, number>();
  const workerEnv = {
    ...process.env,
    NODE_ENV: "production" as const,
    DATABASE_URL: o.databaseUrl,
    DEMO_JOB_DELAY_MS: String(jobMs),
    LEASE_GRACE_MS: String(graceMs),
    TICK_CONCURRENCY: String(o.concurrency ?? 10),
    TICK_BATCH_SIZE: String(o.concurrency ?? 10),
    WORKER_TICK_BUDGET_MS: String(Math.max(3 * timeoutMs, 1_000)),
    WORKER_BUSY_PAUSE_MS: "0",
    WORKER_IDLE_PAUSE_MS: "100",
    WORKER_SHUTDOWN_GRACE_MS: "2000",
    RETENTION_BATCH_SIZE: "0",
  };
  let lostFinalizes = 0;
  let tickFailures = 0;
  let workersStarted = 0;

  const startWorker = () => {
    const id = `soak-w${++workersStarted}`;
    const proc = spawn(process.execPath, [BIN, "worker"], {
      cwd: root,
      env: { ...workerEnv, WORKER_ID: id },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const w = { id, proc, started: false, ready: false } as Worker;
    // One JSON record per line; info on stdout, warn and error on stderr (a "lost" or "failed"
    // job record is a warning, tick_failed an error), so both streams are read the same way.
    const onLine = (line: string) => {
      if (line.includes('"event":"worker_started"')) w.started = true;
      if (line.includes('"event":"tick_failed"')) {
        tickFailures++;
        if (tickFailures <= 5) log(`worker ${id}: ${line.slice(0, 300)}`);
      }
      if (!line.includes('"event":"job"')) return;
      w.ready = true;
      try {
        const e = JSON.parse(line) as { id: string; outcome: string };
        if (e.outcome === "completed") completions.set(e.id, (completions.get(e.id) ?? 0) + 1);
        if (e.outcome === "lost") lostFinalizes++;
      } catch {
        // a line cut by SIGKILL
      }
    };
    let err = "";
    for (const stream of [proc.stdout!, proc.stderr!]) {
      let buf = "";
      stream.on("data", (d) => {
        if (stream === proc.stderr) err = (err + d).slice(-4000);
        buf += d;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          onLine(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      });
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      proc.on("exit", (code, signal) => {
        if (!killed.has(id) && signal !== "SIGTERM" && code !== 0 && !stopping) log(`worker ${id} exited on its own (${code ?? signal}): ${err.trim().split("\n").at(-1)}`);
        resolve({ code, signal });
      }),
    );
    w.exited = exited;
    live.set(id, w);
  };

  let stopping = false;
  // If this process dies first (Ctrl-C, a test timeout), take the workers with it.
  const killAll = () => {
    for (const w of live.values()) w.proc.kill("SIGKILL");
  };
  process.once("exit", killAll);
  for (let i = 0; i < nWorkers; i++) startWorker();

  // Chaos, every 1-2 s: SIGKILL a random working worker and start a new one. With `freeze`,
  // every third event instead stops one (SIGSTOP) for longer than its leases and then lets it
  // go on (SIGCONT): a slow worker, not a dead one. Its jobs are rescued and re-run meanwhile,
  // and when it wakes up its finalize writes must be refused by the fence ("lost").
  let chaos = true;
  const frozen = new Map<string, NodeJS.Timeout>();
  let workersFrozen = 0;
  let events = 0;
  const thaw = (w: Worker) => {
    clearTimeout(frozen.get(w.id));
    frozen.delete(w.id);
    w.proc.kill("SIGCONT");
  };
  const chaosLoop = (async () => {
    while (chaos) {
      await new Promise((r) => setTimeout(r, rand(killMin, killMax)));
      if (!chaos) break;
      // Only workers that are running ticks: killing one still starting up tests nothing.
      const ready = [...live.values()].filter((w) => w.ready && !frozen.has(w.id));
      const victim = ready[Math.floor(Math.random() * ready.length)];
      if (!victim) continue;
      if (o.freeze && ++events % 3 === 0) {
        workersFrozen++;
        victim.proc.kill("SIGSTOP");
        frozen.set(victim.id, setTimeout(() => thaw(victim), timeoutMs + graceMs + 1_000));
        continue;
      }
      killed.add(victim.id);
      live.delete(victim.id);
      victim.proc.kill("SIGKILL");
      startWorker();
    }
  })();

  // Cron ticks over HTTP, overlapping each other and the workers.
  let httpTicks = 0;
  let httpTickFailures = 0;
  let ticking = Boolean(o.app);
  const tickLoops = Array.from({ length: o.app ? (o.httpTicks ?? 2) : 0 }, async () => {
    while (ticking && o.httpAfterFirstKill && killed.size === 0) await new Promise((r) => setTimeout(r, 50));
    while (ticking) {
      try {
        const res = await fetch(`${o.app!.url}/api/jobs/tick`, { headers: { authorization: `Bearer ${o.app!.secret}` } });
        const body = (await res.json().catch(() => ({}))) as { lost?: number };
        httpTicks++;
        if (res.status !== 200) httpTickFailures++;
        lostFinalizes += body.lost ?? 0;
      } catch {
        httpTickFailures++;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  // Drain. Once nothing is pending and only killed workers hold jobs, stop the chaos and
  // backdate those leases instead of waiting for them.
  const open = async () =>
    (await q<{ pending: number; processing: number; dead: number }>(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'processing')::int AS processing,
              count(*) FILTER (WHERE status = 'processing' AND locked_by = ANY($1::text[]))::int AS dead
       FROM cronbound.jobs`,
      [[...killed]],
    ))[0];
  let lastLog = 0;
  for (;;) {
    const s = await open();
    if (s.pending + s.processing === 0) break;
    if (Date.now() - started > maxDurationMs) {
      log(`giving up after ${maxDurationMs} ms: ${s.pending} pending, ${s.processing} processing`);
      break;
    }
    if (chaos && s.pending === 0 && s.processing === s.dead) {
      chaos = false;
      log(`backlog claimed; chaos stopped after ${killed.size} kills; backdating ${s.dead} leases held by killed workers`);
    }
    if (!chaos && s.dead > 0) {
      await q("UPDATE cronbound.jobs SET locked_until = now() - interval '1 millisecond' WHERE status = 'processing' AND locked_by = ANY($1::text[])", [[...killed]]);
    }
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      log(`${Math.round((Date.now() - started) / 1000)} s: ${s.pending} pending, ${s.processing} processing; ${killed.size} workers killed`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const durationMs = Date.now() - started;
  chaos = false;
  ticking = false;
  await chaosLoop;
  await Promise.all(tickLoops);
  for (const w of live.values()) if (frozen.has(w.id)) thaw(w);

  // Stop the survivors as a host would: SIGTERM, and each must exit 0 within its grace.
  stopping = true;
  const survivors = [...live.values()];
  for (let i = 0; i < 300 && survivors.some((w) => !w.started && w.proc.exitCode === null); i++) await new Promise((r) => setTimeout(r, 100));
  for (const w of survivors) w.proc.kill("SIGTERM");
  const exits = await Promise.all(
    survivors.map((w) => Promise.race([w.exited, new Promise<{ code: null; signal: null }>((r) => setTimeout(() => r({ code: null, signal: null }), 15_000))])),
  );
  for (const w of survivors) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
  const gracefulExits = exits.filter((e) => e.code === 0).length;

  process.removeListener("exit", killAll);
  const report = await checkInvariants(q, o.jobs);
  await sql.end();
  const doubleCompletions = [...completions.values()].filter((n) => n > 1).length;
  const violations = [...report.violations];
  if (doubleCompletions) violations.push(`${doubleCompletions} jobs completed twice according to the workers' logs`);
  if (gracefulExits !== survivors.length) violations.push(`${survivors.length - gracefulExits} of ${survivors.length} workers did not exit 0 on SIGTERM`);
  return {
    ...report,
    violations,
    workersStarted,
    workersKilled: killed.size,
    workersFrozen,
    gracefulExits,
    httpTicks,
    httpTickFailures,
    lostFinalizes,
    doubleCompletions,
    durationMs,
    jobsPerSecond: Math.round((o.jobs / durationMs) * 1000),
  };
}

export type Query = <T extends pg.QueryResultRow>(text: string, params?: unknown[]) => Promise<T[]>;

/** The invariants, from the database alone. */
export async function checkInvariants(q: Query, jobs: number) {
  const violations: string[] = [];
  const [c] = await q<{ total: number; completed: number; failed: number; other: number; attempts: number; expired: number }>(
    `SELECT count(*)::int AS total,
            count(*) FILTER (WHERE status = 'completed')::int AS completed,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status NOT IN ('completed', 'failed'))::int AS other,
            coalesce(sum(attempts), 0)::int AS attempts,
            coalesce(sum((SELECT count(*) FROM jsonb_array_elements(errors) e WHERE e->>'error' LIKE 'lease expired%')), 0)::int AS expired
     FROM cronbound.jobs`,
  );
  const missing = jobs - c.total;
  if (missing) violations.push(`${missing} enqueued jobs are missing from the table`);
  if (c.other) violations.push(`${c.other} jobs are neither completed nor failed (stuck or still running)`);

  // Failed only by running out of attempts (send-email never throws here: only lost leases fail it).
  const [badFail] = await q<{ n: number }>("SELECT count(*)::int AS n FROM cronbound.jobs WHERE status = 'failed' AND attempts <> max_attempts");
  if (badFail.n) violations.push(`${badFail.n} failed jobs still had attempts left`);
  // Every attempt but the completing one left an error: none vanished, none was counted twice.
  const [badHistory] = await q<{ n: number }>(
    `SELECT count(*)::int AS n FROM cronbound.jobs
     WHERE (status = 'completed' AND jsonb_array_length(errors) <> attempts - 1)
        OR (status = 'failed' AND jsonb_array_length(errors) <> attempts)`,
  );
  if (badHistory.n) violations.push(`${badHistory.n} jobs whose error history does not match their attempts`);
  // Completed by the attempt whose side effect the result names.
  const [badResult] = await q<{ n: number }>(
    `SELECT count(*)::int AS n FROM cronbound.jobs j
     WHERE j.status = 'completed' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = (j.result->>'outboxId')::bigint AND o.job_id = j.id)`,
  );
  if (badResult.n) violations.push(`${badResult.n} completed jobs whose result does not name their own outbox row`);

  // A job may run again only after an attempt of it ended without completing: its lease
  // expired (the worker was killed) or it timed out (the handler's late write still landed).
  const [e] = await q<{ executions: number; multi: number; extra: number; afterLease: number; afterTimeout: number; unexplained: number }>(
    `WITH per AS (
       SELECT j.id, count(o.id)::int AS runs, jsonb_array_length(j.errors) AS ended,
              (SELECT count(*) FROM jsonb_array_elements(j.errors) x WHERE x->>'error' LIKE 'lease expired%')::int AS expired
       FROM cronbound.jobs j LEFT JOIN outbox o ON o.job_id = j.id GROUP BY j.id)
     SELECT coalesce(sum(runs), 0)::int AS executions,
            count(*) FILTER (WHERE runs > 1)::int AS multi,
            coalesce(sum(greatest(runs - 1, 0)), 0)::int AS extra,
            coalesce(sum(least(greatest(runs - 1, 0), expired)), 0)::int AS "afterLease",
            coalesce(sum(greatest(runs - 1 - expired, 0)), 0)::int AS "afterTimeout",
            count(*) FILTER (WHERE runs > ended + 1)::int AS unexplained
     FROM per`,
  );
  if (e.unexplained) {
    const sample = await q<{ id: string; runs: number; errors: unknown }>(
      `SELECT j.id::text, (SELECT count(*) FROM outbox o WHERE o.job_id = j.id)::int AS runs, j.errors FROM cronbound.jobs j
       WHERE (SELECT count(*) FROM outbox o WHERE o.job_id = j.id) > jsonb_array_length(j.errors) + 1 LIMIT 3`,
    );
    violations.push(`${e.unexplained} jobs ran more often than their ended attempts explain, e.g. ${JSON.stringify(sample)}`);
  }
  return {
    jobs,
    completed: c.completed,
    failed: c.failed,
    notFinished: c.other,
    missing,
    attempts: c.attempts,
    leasesExpired: c.expired,
    executions: e.executions,
    jobsExecutedMoreThanOnce: e.multi,
    duplicateExecutions: e.extra,
    duplicatesAfterLostLease: e.afterLease,
    duplicatesAfterTimeout: e.afterTimeout,
    unexplainedDuplicates: e.unexplained,
    violations,
  };
}
