export const DEFAULT_BACKOFF = { baseMs: 1_000, maxMs: 3_600_000, jitter: 0.25 };
/**
 * Delay before the attempt after `attempt` (1-based: the attempt that just failed).
 * Exponential, capped, jittered downwards:
 *
 *   ceiling = min(maxMs, baseMs * 2^(attempt - 1));  delay in [ceiling * (1 - jitter), ceiling]
 *
 * With the defaults: attempt 1 -> 0.75-1 s, 2 -> 1.5-2 s, 3 -> 3-4 s, 10 -> 6.4-8.5 min,
 * 13 and later -> 45-60 min. `random` is injectable so tests can pin both bounds.
 */
export function backoffDelay(attempt, options = {}, random = Math.random) {
    const { baseMs, maxMs, jitter } = { ...DEFAULT_BACKOFF, ...options };
    const exponent = Math.min(Math.max(attempt, 1) - 1, 60); // 2^60 already exceeds any cap
    const ceiling = Math.min(maxMs, baseMs * 2 ** exponent);
    return Math.round(ceiling * (1 - jitter * random()));
}
