/** How long a failed attempt waits before the next one. */
export interface BackoffOptions {
    /** Delay after the first failed attempt, ms. Default 1000. */
    baseMs?: number;
    /** Upper bound of any delay, ms. Default 1 hour. */
    maxMs?: number;
    /** Fraction of the delay taken off at random, 0..1, so retries of a burst spread out. Default 0.25. */
    jitter?: number;
}
export declare const DEFAULT_BACKOFF: Required<BackoffOptions>;
/**
 * Delay before the attempt after `attempt` (1-based: the attempt that just failed).
 * Exponential, capped, jittered downwards:
 *
 *   ceiling = min(maxMs, baseMs * 2^(attempt - 1));  delay in [ceiling * (1 - jitter), ceiling]
 *
 * With the defaults: attempt 1 -> 0.75-1 s, 2 -> 1.5-2 s, 3 -> 3-4 s, 10 -> 6.4-8.5 min,
 * 13 and later -> 45-60 min. `random` is injectable so tests can pin both bounds.
 */
export declare function backoffDelay(attempt: number, options?: BackoffOptions, random?: () => number): number;
