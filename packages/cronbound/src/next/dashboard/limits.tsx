import type { FlowStat } from "../../engine/flow/settings.ts";

/** "2 per key", "10 per 1 s": a limit as the Limits table shows it. */
function describe(f: FlowStat): string {
  const parts: string[] = [];
  if (f.concurrency) parts.push(`concurrency ${f.concurrency.limit}${f.concurrency.perKey ? " per key" : ""}${f.concurrency.source === "override" ? " (override)" : ""}`);
  if (f.rateLimit) {
    const p = f.rateLimit.periodMs;
    const period = p % 1000 === 0 ? `${p / 1000} s` : `${p} ms`;
    parts.push(`${f.rateLimit.limit} starts per ${period}${f.rateLimit.perKey ? " per key" : ""}${f.rateLimit.source === "override" ? " (override)" : ""}`);
  }
  return parts.join(", ");
}

/**
 * The overview's Limits section (docs/FLOW-CONTROL.md): per limited type, its limits, running vs
 * limit, jobs held back, and the busiest keys. Nothing when no type declares a limit.
 */
export function LimitsSection({ flow, base }: { flow: FlowStat[]; base: string }) {
  if (!flow.length) return null;
  return (
    <>
      <h2>Limits</h2>
      <table data-testid="limits">
        <thead>
          <tr><th>type</th><th>limits</th><th className="num">running</th><th className="num">held back</th><th>busiest keys (running · held back)</th></tr>
        </thead>
        <tbody>
          {flow.map((f) => {
            const typeLimit = f.concurrency && !f.concurrency.perKey ? ` / ${f.concurrency.limit}` : "";
            const keyLimit = f.concurrency?.perKey ? ` / ${f.concurrency.limit}` : "";
            return (
              <tr key={f.type} data-type={f.type}>
                <td>
                  <a href={`${base}/types/${encodeURIComponent(f.type)}`}>{f.type}</a>
                  {f.paused ? <> <span className="badge s-cancelled">paused</span></> : null}
                </td>
                <td data-testid={`limits-${f.type}`}>{describe(f)}</td>
                <td className="num" data-testid={`limits-running-${f.type}`}>{f.running.toLocaleString("en-US")}{typeLimit}</td>
                <td className="num" data-testid={`limits-held-${f.type}`}>{f.heldBack.toLocaleString("en-US")}</td>
                <td>
                  {f.keys.length === 0 ? <span className="muted">—</span> : f.keys.map((k, i) => (
                    <span key={k.key} data-key={k.key}>
                      {i > 0 ? ", " : ""}
                      <code>{k.key}</code> {k.running}{keyLimit} · {k.heldBack}
                    </span>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
