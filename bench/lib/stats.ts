/** The q-quantile (0..1) of `values`, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Values by round with their median and range, e.g. "812, 790, 845 (median 812, range 790–845)". */
export function summarize(values: readonly number[], digits = 0): { median: number; min: number; max: number; text: string } {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const f = (v: number) => v.toFixed(digits);
  return { median: m, min, max, text: `${values.map(f).join(', ')} (median ${f(m)}, range ${f(min)}–${f(max)})` };
}
