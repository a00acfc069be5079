import { ticks } from './chart-scale';

/** Hand-drawn SVG charts: bars or lines over hourly buckets, sized by the viewBox, coloured by classes from app.css. */

export interface Series {
  label: string;
  /** A class name from app.css: chart-a, chart-b. */
  tone: string;
  values: number[];
}

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 14, right: 8, bottom: 36, left: 48 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
/** Axis numbers stay short at any size: 1.2K, 35K. */
const compact = new Intl.NumberFormat(undefined, { notation: 'compact' });

export interface ChartProps {
  title: string;
  /** What the chart shows in words, for screen readers (totals, peak). */
  summary: string;
  labels: string[];
  series: Series[];
  kind: 'bars' | 'lines';
}

export function Chart({ title, summary, labels, series, kind }: ChartProps) {
  const id = title.toLowerCase().replace(/\W+/g, '-');
  const scale = ticks(Math.max(0, ...series.flatMap((s) => s.values)));
  const top = scale.at(-1)!;
  const y = (value: number) => PAD.top + PLOT_H - (value / top) * PLOT_H;
  const slot = PLOT_W / Math.max(1, labels.length);
  const x = (index: number) => PAD.left + index * slot;
  const every = Math.ceil(labels.length / 8);

  return (
    <figure class="chart">
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${id}-title ${id}-desc`}>
        <desc id={`${id}-desc`}>{summary}</desc>
        {scale.map((tick) => (
          <g key={tick} class="chart-grid">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 6} y={y(tick)} text-anchor="end" dominant-baseline="middle">
              {compact.format(tick)}
            </text>
          </g>
        ))}
        {labels.map((label, i) =>
          i % every === 0 ? (
            <text key={i} class="chart-axis" x={x(i) + slot / 2} y={HEIGHT - 8} text-anchor="middle">
              {label}
            </text>
          ) : null,
        )}
        {kind === 'bars' ? <Bars series={series} slot={slot} x={x} y={y} /> : <Lines series={series} slot={slot} x={x} y={y} />}
      </svg>
      {series.length > 1 && (
        <ul class="chart-legend">
          {series.map((s) => (
            <li key={s.label}>
              <span class={`swatch ${s.tone}`} aria-hidden="true" /> {s.label}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

interface PlotProps {
  series: Series[];
  slot: number;
  x: (index: number) => number;
  y: (value: number) => number;
}

/** Side-by-side bars per hour, one per series; a zero draws nothing. */
function Bars({ series, slot, x, y }: PlotProps) {
  const width = (slot * 0.8) / series.length;
  return (
    <>
      {series.map((s, n) => (
        <g key={s.label} class={s.tone}>
          {s.values.map((value, i) =>
            value > 0 ? <rect key={i} x={x(i) + slot * 0.1 + n * width} y={y(value)} width={width} height={y(0) - y(value)} /> : null,
          )}
        </g>
      ))}
    </>
  );
}

/** One polyline per series through the middle of each hour, with a dot on each point. */
function Lines({ series, slot, x, y }: PlotProps) {
  return (
    <>
      {series.map((s) => (
        <g key={s.label} class={`${s.tone} chart-line`}>
          <polyline points={s.values.map((value, i) => `${x(i) + slot / 2},${y(value)}`).join(' ')} />
          {s.values.map((value, i) => (
            <circle key={i} cx={x(i) + slot / 2} cy={y(value)} r={2.5} />
          ))}
        </g>
      ))}
    </>
  );
}
