import type { z } from "zod";

/** A simplified zod issue: where, what. Stable enough to return to API clients. */
export interface Issue {
  path: (string | number)[];
  message: string;
  code?: string;
}

export function toIssues(error: z.ZodError, prefix: (string | number)[] = []): Issue[] {
  return error.issues.map((i) => ({
    path: [...prefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: i.message,
    code: i.code,
  }));
}

/** Thrown by enqueue when nothing was written. `code` tells API routes which status to answer. */
export class EnqueueError extends Error {
  constructor(
    public readonly code: "unknown_type" | "invalid_payload" | "invalid_options" | "too_large",
    message: string,
    public readonly issues: Issue[] = [],
  ) {
    super(issues.length ? `${message}: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}` : message);
    this.name = "EnqueueError";
  }
}

/**
 * Throw this from a handler when retrying cannot help (a malformed address, a deleted record):
 * the job fails at once instead of burning its remaining attempts.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NonRetryableError";
  }
}

/** A NonRetryableError, also from another copy of cronbound, or any error its author named so. */
export function isNonRetryable(err: unknown): boolean {
  return err instanceof NonRetryableError || (err instanceof Error && err.name === "NonRetryableError");
}

/** The message to store for anything a handler threw. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message ? `${err.name}: ${err.message}` : err.name;
  try {
    return `thrown: ${JSON.stringify(err)}`;
  } catch {
    return `thrown: ${String(err)}`;
  }
}
