import type { Engine } from "../context.ts";
import type { Outcome } from "../execute.ts";
import { failAttempt, releaseAttempts, retryAttempt, type Attempt } from "../finalize.ts";
import { suspendAttempt } from "../steps/store.ts";
import type { Job } from "../types.ts";
import type { Completer } from "./completer.ts";

/**
 * What finalizing one attempt did: the outcome whose transition landed, or `lost` when the
 * fenced write found the lease gone (rescued and re-claimed, or the row moved on).
 * A discarded outcome writes nothing: cancelled while running counts as `discarded`, a lease
 * lost while running as `lost`.
 */
export type Settled = Outcome["kind"] | "lost";

/**
 * settle: map an attempt's one outcome to its one transition (finalize.ts), each write
 * fenced on the lease. Completions go through the Completer, which batches them (or lets the
 * next claim carry them). Throws when the database write itself fails: the job then keeps its
 * lease, and rescue brings it back when the lease expires (at-least-once, never lost).
 */
export async function settle(e: Engine, completer: Completer, workerId: string, job: Job, outcome: Outcome, now?: Date): Promise<Settled> {
  const a: Attempt = { id: job.id, attempt: job.attempts };
  let landed: boolean;
  switch (outcome.kind) {
    case "completed":
      landed = await completer.complete(a, outcome.result);
      break;
    case "retry":
      landed = await retryAttempt(e, workerId, a, outcome.error, outcome.delayMs, now);
      break;
    case "failed":
      landed = await failAttempt(e, workerId, a, outcome.error, now);
      break;
    case "released":
      landed = (await releaseAttempts(e, workerId, [a], now)).has(a.id);
      break;
    case "discarded":
      landed = outcome.why === "cancelled";
      break;
    case "continued":
    case "waiting":
      landed = await suspendAttempt(e, { workerId, job }, outcome.suspension, e.config.eventWindowMs, now);
      break;
  }
  return landed ? outcome.kind : "lost";
}
