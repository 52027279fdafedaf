import type { MinuteCount } from "../../engine/stats.ts";

const W = 720;
const H = 160;
const PAD_L = 36;
const PAD_B = 20;
const PAD_T = 8;

/** Rounds a maximum up to a round number whose half (the middle grid line) is whole too. */
function niceMax(n: number): number {
  if (n <= 10) return [2, 4, 10].find((v) => v >= n) as number;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= n) as number;
}

/**
 * Completed and failed jobs per minute over the last hour, as stacked bars. Server-rendered
 * SVG: no chart library, no client JavaScript; each bar's <title> is its tooltip.
 */
export function ThroughputChart({ series }: { series: MinuteCount[] }) {
  const max = niceMax(Math.max(0, ...series.map((m) => m.completed + m.failed)));
  const plotW = W - PAD_L - 4;
  const plotH = H - PAD_B - PAD_T;
  const slot = plotW / Math.max(1, series.length);
  const barW = Math.max(1, slot - 2);
  const y = (v: number) => (v / max) * plotH;
  const total = series.reduce((n, m) => n + m.completed + m.failed, 0);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`Jobs finished per minute over the last hour: ${total} in total`}
      data-testid="throughput-chart"
    >
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line x1={PAD_L} x2={W - 4} y1={PAD_T + plotH - f * plotH} y2={PAD_T + plotH - f * plotH} className="grid" />
          <text x={PAD_L - 6} y={PAD_T + plotH - f * plotH + 4} textAnchor="end" className="axis">
            {Math.round(max * f)}
          </text>
        </g>
      ))}
      {series.map((m, i) => {
        const x = PAD_L + i * slot + 1;
        const hc = y(m.completed);
        const hf = y(m.failed);
        const label = `${m.minute.slice(11, 16)} UTC: ${m.completed} completed, ${m.failed} failed`;
        return (
          <g key={m.minute}>
            <title>{label}</title>
            <rect x={x} width={barW} y={PAD_T + plotH - hc} height={hc} className="bar-ok" />
            <rect x={x} width={barW} y={PAD_T + plotH - hc - hf} height={hf} className="bar-bad" />
            {/* An invisible full-height target, so a bar of zero still has a tooltip. */}
            <rect x={x} width={barW} y={PAD_T} height={plotH} fill="transparent" />
          </g>
        );
      })}
      {series.length > 0 &&
        [0, Math.floor(series.length / 2), series.length - 1].map((i) => (
          <text key={i} x={PAD_L + i * slot + slot / 2} y={H - 4} textAnchor="middle" className="axis">
            {i === series.length - 1 ? "now" : `${series[i].minute.slice(11, 16)}`}
          </text>
        ))}
    </svg>
  );
}
