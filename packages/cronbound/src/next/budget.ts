/**
 * Time kept back between the end of a tick's budget and the platform's hard stop: the last
 * finalize writes, the skipped-for-budget count and the response must fit in it. Finalizing
 * is one short UPDATE; 10 s leaves room for a slow pooler connect. Never more than a fifth of
 * the whole, so a short maxDuration still gets a useful budget.
 */
export const SAFETY_MARGIN_MS = 10_000;

export interface BudgetInput {
  /** The route's `maxDuration`, seconds. */
  maxDurationS: number;
  /** The platform's hard deadline for this invocation (`getDeadline()` on Vercel), if known. */
  deadline?: Date;
  /** TICK_BUDGET_MS: an operator's cap. */
  override?: number;
  /** A narrower budget asked for by the caller (the manual trigger's body, the kick). */
  requested?: number;
  /** When the invocation started; default now. */
  now?: number;
}

const margin = (totalMs: number) => Math.min(SAFETY_MARGIN_MS, Math.floor(totalMs / 5));

/**
 * The tick's budget, ms. The platform's limit comes from the deadline when Vercel provides
 * one, else from maxDuration; the margin is taken off either way. The override and the
 * request can only make it shorter: a budget past the platform's limit would let the tick
 * start a job the platform then kills mid-run (docs/ARCHITECTURE.md, invariant 1).
 */
export function tickBudgetMs(input: BudgetInput): number {
  const now = input.now ?? Date.now();
  const platformMs = input.deadline
    ? input.deadline.getTime() - now
    : input.maxDurationS * 1000;
  let budget = platformMs - margin(platformMs);
  if (input.override !== undefined) budget = Math.min(budget, input.override);
  if (input.requested !== undefined) budget = Math.min(budget, input.requested);
  return Math.max(0, Math.floor(budget));
}
