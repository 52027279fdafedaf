import { backoffDelay } from "./backoff.js";
import { errorMessage, isNonRetryable, toIssues } from "./errors.js";
/** The signal's reason, so a handler can tell a timeout from a cancel. */
export class JobStopped extends Error {
    kind;
    constructor(kind, message) {
        super(message);
        this.kind = kind;
        this.name = "JobStopped";
    }
}
/**
 * execute: resolve the type, re-validate the payload, run the handler under an AbortSignal
 * that fires at min(timeout, deadline), and normalize whatever happens into one Outcome.
 * A handler that ignores its signal is raced: at the timeout the outcome is decided, and
 * whatever it returns later is discarded. Never rejects.
 */
export function executeJob(job, def, o) {
    const controller = new AbortController();
    const stop = (kind, message) => {
        if (!controller.signal.aborted)
            controller.abort(new JobStopped(kind, message));
    };
    return { outcome: run(job, def, o, controller, stop), stop };
}
async function run(job, def, o, controller, stop) {
    if (!def)
        return { kind: "failed", error: `unknown job type "${job.type}": no handler is registered for it` };
    const parsed = def.schema.safeParse(job.payload);
    if (!parsed.success) {
        // Retrying cannot fix a payload; fail once, with the reason, and keep the remaining attempts.
        const issues = toIssues(parsed.error).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
        return { kind: "failed", error: `payload no longer matches the schema of "${job.type}": ${issues.join("; ")}` };
    }
    const limitMs = Math.max(0, Math.min(job.timeoutMs, o.deadline - Date.now()));
    const timer = setTimeout(() => stop("timeout", `timed out after ${limitMs} ms (attempt ${job.attempts} of ${job.maxAttempts})`), limitMs);
    const stopped = new Promise((resolve) => controller.signal.addEventListener("abort", () => resolve(controller.signal.reason), { once: true }));
    const ctx = { signal: controller.signal, job, db: o.db, progress: o.progress };
    const handled = Promise.resolve()
        .then(() => def.handler(parsed.data, ctx))
        .then((result) => ({ ok: true, result }), (error) => ({ ok: false, error }));
    try {
        const first = await Promise.race([handled, stopped]);
        if (first instanceof JobStopped) {
            if (first.kind === "shutdown")
                return { kind: "released" };
            if (first.kind === "cancelled" || first.kind === "lost")
                return { kind: "discarded", why: first.kind, reason: first.message };
            return failure(job, def, first.message, false, o.random);
        }
        if (first.ok)
            return { kind: "completed", result: first.result };
        return failure(job, def, errorMessage(first.error), isNonRetryable(first.error), o.random);
    }
    finally {
        clearTimeout(timer);
        // Tell a still-running handler to give up, so its work stops even though its result is discarded.
        stop("timeout", "the attempt already ended");
    }
}
function failure(job, def, error, permanent, random) {
    if (permanent || job.attempts >= job.maxAttempts)
        return { kind: "failed", error };
    return { kind: "retry", error, delayMs: backoffDelay(job.attempts, def.backoff, random) };
}
