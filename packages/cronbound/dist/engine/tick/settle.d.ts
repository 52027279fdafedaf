import type { Engine } from "../context.ts";
import type { Outcome } from "../execute.ts";
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
export declare function settle(e: Engine, completer: Completer, workerId: string, job: Job, outcome: Outcome, now?: Date): Promise<Settled>;
