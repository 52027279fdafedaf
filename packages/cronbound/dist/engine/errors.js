export function toIssues(error, prefix = []) {
    return error.issues.map((i) => ({
        path: [...prefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
        message: i.message,
        code: i.code,
    }));
}
/** Thrown by enqueue when nothing was written. `code` tells API routes which status to answer. */
export class EnqueueError extends Error {
    code;
    issues;
    constructor(code, message, issues = []) {
        super(issues.length ? `${message}: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` : message);
        this.code = code;
        this.issues = issues;
        this.name = "EnqueueError";
    }
}
/**
 * Throw this from a handler when retrying cannot help (a malformed address, a deleted record):
 * the job fails at once instead of burning its remaining attempts.
 */
export class NonRetryableError extends Error {
    constructor(message, options) {
        super(message, options);
        this.name = "NonRetryableError";
    }
}
/** A NonRetryableError, also from another copy of cronbound, or any error its author named so. */
export function isNonRetryable(err) {
    return err instanceof NonRetryableError || (err instanceof Error && err.name === "NonRetryableError");
}
/** The message to store for anything a handler threw. */
export function errorMessage(err) {
    if (err instanceof Error)
        return err.message ? `${err.name}: ${err.message}` : err.name;
    try {
        return `thrown: ${JSON.stringify(err)}`;
    }
    catch {
        return `thrown: ${String(err)}`;
    }
}
