import { randomBytes } from "node:crypto";
import type { WakeMode } from "../config.ts";
import type { Listening } from "../db.ts";
import { errorFields } from "../logger.ts";
import type { Engine } from "./context.ts";

// Wake on enqueue: `enqueue` and `enqueueMany` send pg_notify(channel, type) in their INSERT
// statement when a job is due at once, so the notification goes out when (and only if) the
// enqueuing transaction commits, and PostgreSQL folds identical notifications of one
// transaction into one. A long-running worker LISTENs on a connection of its own and ends its
// pause when one arrives. Polling stays the safety net: jobs that become due later (a delay, a
// retry, a schedule, a released dependency) are found by the worker's pauses as before.
//
// LISTEN needs a session: through a transaction-mode pooler (PgBouncer, Supavisor's and Neon's
// pooled endpoints) the LISTEN runs on whichever server connection the statement got, and the
// notifications never reach this client. In "auto" mode the worker sends a probe notification
// through the pool and keeps LISTEN only if the probe comes back on its own connection.

/** The notification channel of a schema's queue (at most 63 bytes, PostgreSQL's limit). */
export function wakeChannel(schema: string): string {
  const c = `${schema}:wake`;
  return c.length <= 63 ? c : schema;
}

/** How long "auto" waits for its probe to come back before it settles for polling. */
export const PROBE_TIMEOUT_MS = 2_000;

export interface Wake {
  /** The mode in effect: "listen" (LISTEN/NOTIFY, with polling behind it) or "poll". */
  readonly mode: "listen" | "poll";
  /** Why the worker polls (config, no way to listen, the probe did not come back, the connection failed). */
  readonly reason?: string;
  /** Polling because the database could not be reached: worth trying again later. */
  readonly retry?: boolean;
  close(): Promise<void>;
}

/**
 * Open the worker's wake. `onWake(type)` runs for each notification of an enqueued job of
 * `types` (all when absent); `onLost` when the LISTEN connection ends (the worker then polls
 * and may open it again). Never throws: any failure is a "poll" wake with its reason.
 */
export async function openWake(
  e: Engine,
  mode: WakeMode,
  o: { types?: string[]; onWake: () => void; onLost: (err: Error) => void; probeTimeoutMs?: number },
): Promise<Wake> {
  const poll = (reason: string, retry = false): Wake => ({ mode: "poll", reason, retry, close: async () => {} });
  if (mode === "poll") return poll("config (WORKER_WAKE=poll)");
  if (!e.db.listen) return poll(`the ${e.db.kind} executor cannot open a connection of its own (give prismaExecutor its pg pool)`);
  const channel = wakeChannel(e.config.schema);
  const types = o.types?.length ? new Set(o.types) : undefined;
  const token = `probe:${randomBytes(8).toString("hex")}`;
  let probed: () => void = () => {};
  const probe = new Promise<void>((resolve) => (probed = resolve));
  let listening: Listening;
  try {
    listening = await e.db.listen(
      channel,
      (payload) => {
        if (payload === token) probed();
        else if (!types || !payload || types.has(payload)) o.onWake();
      },
      o.onLost,
    );
  } catch (err) {
    e.log.warn({ event: "wake_failed", ...errorFields(err) }, "could not LISTEN for enqueued jobs; the worker polls");
    return poll(`LISTEN failed: ${errorFields(err).error}`, true);
  }
  if (mode === "auto") {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), o.probeTimeoutMs ?? PROBE_TIMEOUT_MS)));
    try {
      await e.db.query("SELECT pg_notify($1, $2)", [channel, token]);
      const back = await Promise.race([probe.then(() => true), timeout]);
      if (!back) {
        await listening.close();
        return poll("no notification came back through a connection of its own (a transaction-mode pooler?): set WORKER_WAKE=listen only for a direct connection");
      }
    } catch (err) {
      await listening.close();
      return poll(`the wake probe failed: ${errorFields(err).error}`, true);
    } finally {
      clearTimeout(timer);
    }
  }
  return { mode: "listen", close: () => listening.close() };
}
