import { appendFileSync } from 'node:fs';

/** One line of `npm run bench`'s summary table. */
export interface SummaryRow {
  /** what was measured, with its unit, e.g. "GET /api/v1/me, req/s" */
  metric: string;
  /** the gateway's figure, as printed (median or range) */
  result: string;
  /** the baseline's figure measured in the same run, if any */
  baseline?: string;
  /** result / baseline, as printed */
  ratio?: string;
  /** e.g. ">= 0.5" */
  target?: string;
  met?: boolean;
}

/**
 * Hands rows to `npm run bench` (bench/run.ts), which sets BENCH_SUMMARY_FILE and prints them all in
 * one table at the end; run on its own, a bench prints its own output only.
 */
export function reportSummary(bench: string, rows: SummaryRow[]): void {
  const file = process.env.BENCH_SUMMARY_FILE;
  if (!file) return;
  for (const row of rows) appendFileSync(file, `${JSON.stringify({ bench, ...row })}\n`);
}
