import { failAttempt, releaseAttempts, retryAttempt } from "../finalize.js";
/**
 * settle: map an attempt's one outcome to its one transition (finalize.ts), each write
 * fenced on the lease. Completions go through the Completer, which batches them (or lets the
 * next claim carry them). Throws when the database write itself fails: the job then keeps its
 * lease, and rescue brings it back when the lease expires (at-least-once, never lost).
 */
export async function settle(e, completer, workerId, job, outcome, now) {
    const a = { id: job.id, attempt: job.attempts };
    let landed;
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
    }
    return landed ? outcome.kind : "lost";
}
