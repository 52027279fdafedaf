import type { z } from "zod";
/** A simplified zod issue: where, what. Stable enough to return to API clients. */
export interface Issue {
    path: (string | number)[];
    message: string;
    code?: string;
}
export declare function toIssues(error: z.ZodError, prefix?: (string | number)[]): Issue[];
/** Thrown by enqueue when nothing was written. `code` tells API routes which status to answer. */
export declare class EnqueueError extends Error {
    readonly code: "unknown_type" | "invalid_payload" | "invalid_options" | "too_large";
    readonly issues: Issue[];
    constructor(code: "unknown_type" | "invalid_payload" | "invalid_options" | "too_large", message: string, issues?: Issue[]);
}
/**
 * Throw this from a handler when retrying cannot help (a malformed address, a deleted record):
 * the job fails at once instead of burning its remaining attempts.
 */
export declare class NonRetryableError extends Error {
    constructor(message: string, options?: {
        cause?: unknown;
    });
}
/** A NonRetryableError, also from another copy of cronbound, or any error its author named so. */
export declare function isNonRetryable(err: unknown): boolean;
/** The message to store for anything a handler threw. */
export declare function errorMessage(err: unknown): string;
