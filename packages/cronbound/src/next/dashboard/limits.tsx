import type { FlowStat } from "../../engine/flow/settings.ts";
import { ActionForm, type ViewContext } from "./ui.tsx";

/** "2 per key", "10 per 1 s": a limit as the Limits table shows it. */
export function describeLimits(f: FlowStat): string {
  const parts: string[] = [];
  if (f.concurrency) parts.push(`concurrency ${f.concurrency.limit}${f.concurrency.perKey ? " per key" : ""}${f.concurrency.source === "override" ? " (override)" : ""}`);
  if (f.rateLimit) {
    const p = f.rateLimit.periodMs;
    const period = p % 1000 === 0 ? `${p / 1000} s` : `${p} ms`;
    parts.push(`${f.rateLimit.limit} starts per ${period}${f.rateLimit.perKey ? " per key" : ""}${f.rateLimit.source === "override" ? " (override)" : ""}`);
  }
  return parts.join(", ");
}

/** Where the limits shown come from: the code's defineJob, or an override set at run time. */
export function limitSource(f: FlowStat): string {
  const sources = [f.concurrency && ["concurrency", f.concurrency.source], f.rateLimit && ["rate", f.rateLimit.source]].filter(Boolean) as [string, string][];
  const label = (src: string) => (src === "override" ? "runtime override" : "code");
  if (sources.every(([, src]) => src === sources[0][1])) return label(sources[0][1]);
  return sources.map(([what, src]) => `${what}: ${label(src)}`).join(" · ");
}

/**
 * The form changing one limited type's limits at run time (intent "set-limit", blank fields stay
 * as they are) and the button dropping the overrides ("clear-limit"). Both go through the
 * dashboard's action, which checks access and validates before queue.setLimit / clearLimit.
 */
export function LimitForm({ v, f, back }: { v: ViewContext; f: FlowStat; back: string }) {
  const overridden = f.concurrency?.source === "override" || f.rateLimit?.source === "override";
  return (
    <div className="job-actions" data-testid={`limit-form-${f.type}`}>
      <ActionForm v={v} intent="set-limit" fields={{ type: f.type, back }} className="filters limit-form">
        <label>
          concurrency{f.concurrency?.perKey ? " per key" : ""}{" "}
          <input type="number" name="concurrency" min={1} step={1} size={6} aria-label={`concurrency of ${f.type}`}
            placeholder={f.concurrency ? String(f.concurrency.limit) : "none"} />
        </label>
        <label>
          rate{f.rateLimit?.perKey ? " per key" : ""}{" "}
          <input type="number" name="rate" min={1} step={1} size={6} aria-label={`rate limit of ${f.type}`}
            placeholder={f.rateLimit ? String(f.rateLimit.limit) : "none"} />
        </label>
        <label>
          starts per{" "}
          <input type="number" name="period" min={1} step={1} size={8} aria-label={`rate period of ${f.type} in ms`}
            placeholder={f.rateLimit ? String(f.rateLimit.periodMs) : "ms"} />{" "}ms
        </label>
        <button type="submit" data-testid={`set-limit-${f.type}`}>Set override</button>
      </ActionForm>
      {overridden && (
        <ActionForm v={v} intent="clear-limit" fields={{ type: f.type, back }}>
          <button type="submit" className="secondary" data-testid={`clear-limit-${f.type}`}>Clear override</button>
        </ActionForm>
      )}
    </div>
  );
}

/**
 * The overview's Limits section (docs/FLOW-CONTROL.md): per limited type, its limits, running vs
 * limit, jobs held back, the busiest keys, and where the limits come from (code or runtime
 * override). With `v` (the dashboard's pages pass it), a form per type changes its limits at run
 * time. Nothing when no type declares a limit.
 */
export function LimitsSection({ flow, base, v }: { flow: FlowStat[]; base: string; v?: ViewContext }) {
  if (!flow.length) return null;
  return (
    <>
      <h2>Limits</h2>
      <table data-testid="limits">
        <thead>
          <tr><th>type</th><th>limits</th><th>set by</th><th className="num">running</th><th className="num">held back</th><th>busiest keys (running · held back)</th></tr>
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
                <td data-testid={`limits-${f.type}`}>{describeLimits(f)}</td>
                <td data-testid={`limits-source-${f.type}`}>{limitSource(f)}</td>
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
      {v && (
        <>
          <p className="muted">
            Change a type's limits without a deploy: the numbers below override the code's until cleared (blank fields stay as
            they are; the key a limit counts by is fixed in code).
          </p>
          {flow.map((f) => (
            <div key={f.type} data-type={f.type}>
              <strong>{f.type}</strong>
              <LimitForm v={v} f={f} back={base} />
            </div>
          ))}
        </>
      )}
    </>
  );
}
