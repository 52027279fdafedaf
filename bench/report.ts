import type { CpuPerJob } from "./cpu.ts";
import type { Row } from "./scenarios.ts";
import { quantile, summarize, type Summary } from "./stats.ts";

/** Median CPU per job over a row's runs, µs. */
export interface CpuSummary {
  nodeUs: number;
  pgUs: number;
}

function cpuMedian(xs?: CpuPerJob[]): CpuSummary | undefined {
  if (!xs?.length) return undefined;
  const med = (v: number[]) => quantile([...v].sort((a, b) => a - b), 0.5);
  return { nodeUs: med(xs.map((x) => x.nodeUs)), pgUs: med(xs.map((x) => x.pgUs)) };
}

export interface RowResult {
  id: string;
  title: string;
  unit: string;
  ours: Summary;
  floor?: Summary;
  /** ours median / floor median, in the row's unit. */
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
  oursCpu?: CpuSummary;
  floorCpu?: CpuSummary;
  /** Every run's ratio (runs alternate ours/floor), for the spread of the ratio itself. */
  ratios?: number[];
}

export function evaluate(row: Row): RowResult {
  const ours = summarize(row.ours);
  const floor = row.floor?.length ? summarize(row.floor) : undefined;
  const ratio = floor ? ours.median / floor.median : undefined;
  let target: string | undefined;
  let met: boolean | undefined;
  const t = row.target;
  if (t?.minRatio !== undefined && ratio !== undefined) {
    target = `>= ${t.minRatio}x`;
    met = ratio >= t.minRatio;
  } else if (t?.maxRatio !== undefined && ratio !== undefined) {
    target = `<= ${t.maxRatio}x`;
    met = ratio <= t.maxRatio;
  } else if (t?.maxMs !== undefined) {
    target = `< ${t.maxMs} ms`;
    met = ours.median < t.maxMs;
  }
  const ratios = row.floor && row.floor.length === row.ours.length && row.unit === "jobs/s" ? row.ours.map((o, i) => o / row.floor![i]) : undefined;
  return { id: row.id, title: row.title, unit: row.unit, ours, floor, ratio, target, met, note: row.note, oursCpu: cpuMedian(row.oursCpu), floorCpu: cpuMedian(row.floorCpu), ratios };
}

function num(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return "-";
  if (unit === "ms") return v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1);
  return Math.round(v).toLocaleString("en");
}

/** A Markdown table: it reads as well in a terminal as pasted into docs/BENCHMARKS.md. */
export function table(results: RowResult[]): string {
  const head = ["scenario", "unit", "ours median", "ours p90", "spread", "floor median", "floor p90", "ours / floor", "run ratios", "CPU µs/job node+pg: ours", "floor", "target", ""];
  const cpu = (c?: CpuSummary) => (c ? `${Math.round(c.nodeUs)} + ${Number.isNaN(c.pgUs) ? "?" : Math.round(c.pgUs)}` : "");
  const lines = results.map((r) => [
    r.title,
    r.unit,
    num(r.ours.median, r.unit),
    r.unit === "ms" ? num(r.ours.p90, r.unit) : "",
    `${Math.round(r.ours.spread * 100)}%`,
    num(r.floor?.median, r.unit),
    r.unit === "ms" && r.floor ? num(r.floor.p90, r.unit) : "",
    r.ratio === undefined ? "-" : `${r.ratio.toFixed(2)}x`,
    r.ratios ? `${Math.min(...r.ratios).toFixed(2)}-${Math.max(...r.ratios).toFixed(2)}` : "",
    cpu(r.oursCpu),
    cpu(r.floorCpu),
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "met" : "MISSED",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i < 2 ? `:${"-".repeat(w + 1)}` : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [fmt(head), rule, ...lines.map(fmt)].join("\n");
}
