import type { TickReport } from "cronbound";

export interface TickerOptions {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  secret: string;
  intervalMs: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

/**
 * What Vercel Cron does in production, every few seconds: GET /api/jobs/tick with
 * `Authorization: Bearer $CRON_SECRET`, so local jobs run through the same route. Ticks never
 * overlap here (the next starts `intervalMs` after the previous answered), though the route
 * would be safe if they did. Prints a line per tick that did something, and each problem
 * once (not every few seconds) until it clears.
 */
export async function runTicker(o: TickerOptions): Promise<void> {
  let problem = "";
  const report = (p: string) => {
    if (p !== problem && p) o.log(`tick: ${p}`);
    if (!p && problem) o.log("tick: the route answers again");
    problem = p;
  };
  while (!o.signal.aborted) {
    try {
      const res = await fetch(`${o.baseUrl}/api/jobs/tick`, {
        headers: { authorization: `Bearer ${o.secret}`, "user-agent": "cronbound-dev" },
        signal: o.signal,
      });
      if (res.ok) {
        report("");
        const line = describe((await res.json()) as TickReport);
        if (line) o.log(`tick: ${line}`);
      } else {
        const body = (await res.text()).replace(/\s+/g, " ").slice(0, 200);
        const hint = res.status === 404 ? " (is app/api/jobs/[[...path]]/route.ts there?)" : "";
        report(`GET /api/jobs/tick answered ${res.status}${hint}: ${body}`);
      }
    } catch (err) {
      if (o.signal.aborted) break;
      report(`the app did not answer (${(err as Error).cause ?? (err as Error).message})`);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.intervalMs);
      o.signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}

/** "2 claimed: 2 completed (1.3 s)", or null when the tick found nothing to do. */
export function describe(r: TickReport): string | null {
  if (!r || typeof r !== "object" || !(r.claimed > 0 || r.rescued > 0)) return null;
  const parts = (["completed", "retried", "failed", "continued", "waiting", "released", "cancelled", "lost"] as const)
    .filter((k) => r[k] > 0)
    .map((k) => `${r[k]} ${k}`);
  if (r.rescued > 0) parts.push(`${r.rescued} rescued from expired leases`);
  if (r.skippedForBudget > 0) parts.push(`${r.skippedForBudget} skipped (timeout longer than the tick's budget)`);
  return `${r.claimed} claimed${parts.length ? `: ${parts.join(", ")}` : ""} (${(r.durationMs / 1000).toFixed(1)} s)`;
}
