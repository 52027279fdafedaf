/** Summary of a list of samples. Spread is the min-max range relative to the median. */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  /** (max - min) / median, as a fraction. */
  spread: number;
}

export function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  const median = quantile(s, 0.5);
  return { n: s.length, median, p90: quantile(s, 0.9), min: s[0], max: s[s.length - 1], spread: median ? (s[s.length - 1] - s[0]) / median : 0 };
}
