/**
 * Entries over time, stacked by priority (or seal status), drawn by uPlot; dragging across the plot
 * selects a time range. Stacking: each series holds the running sum, drawn as bars from the tallest
 * down, so each colour shows its own share.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Histogram as Hist } from '../../../src/search/histogram.js';
import { PRIORITY_LABELS, sealLabel } from './format.js';

interface Props {
  data: Hist | undefined;
  stack: 'priority' | 'seal';
  onStack(stack: 'priority' | 'seal'): void;
  onSelect(from: number, to: number): void;
}

/** emerg … debug, then "no PRIORITY"; readable on light and dark backgrounds. */
const PRIORITY_COLORS = ['#8e0000', '#b00020', '#d32f2f', '#ef5350', '#fb8c00', '#1e88e5', '#7b97aa', '#b0bec5', '#cfd8dc'];
/** sealed, unsealed tail, seal failed, not checked, file not sealed, not verified. */
const SEAL_COLORS = ['#2e9d3a', '#e0a800', '#d32f2f', '#8c959f', '#7b97aa', '#cfd8dc'];

/** Entry counts are whole numbers: no 2.5 on the axis. */
const COUNT_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

export function Histogram({ data, stack, onStack, onSelect }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const select = useRef(onSelect);
  select.current = onSelect;

  useEffect(() => {
    const host = el.current;
    if (!host || !data) return;
    const xs = Array.from({ length: data.buckets }, (_, b) => (data.from + b * data.step) / 1e6);
    const keys = data.series.map((_, k) => k).filter((k) => data.series[k].some((c) => c > 0));
    // Running sums, bottom series first; drawn in reverse so the tallest is behind.
    const sums: (number | null)[][] = [];
    let acc = new Array<number>(data.buckets).fill(0);
    for (const k of keys) {
      acc = acc.map((a, b) => a + data.series[k][b]);
      // An empty bucket draws nothing (a zero-height bar would still leave its outline on the axis).
      sums.push(acc.map((v) => v || null));
    }
    const names = data.stack === 'priority' ? PRIORITY_LABELS : data.series.map((_, k) => sealLabel(k as never));
    const colors = data.stack === 'priority' ? PRIORITY_COLORS : SEAL_COLORS;
    const order = keys.map((k, i) => ({ k, i })).reverse();
    const bars = uPlot.paths.bars!({ size: [0.9, 100] });
    // Canvas text takes a real colour: the page's, light or dark.
    const fg = getComputedStyle(host).color;
    const opts: uPlot.Options = {
      width: host.clientWidth || 600,
      height: 110,
      padding: [8, 16, 0, 28],
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        { stroke: fg, grid: { show: false }, ticks: { stroke: 'rgba(128,128,128,.4)' } },
        { stroke: fg, size: 44, grid: { stroke: 'rgba(128,128,128,.2)' }, ticks: { show: false }, incrs: COUNT_INCRS },
      ],
      series: [{}, ...order.map(({ k }) => ({ label: names[k], fill: colors[k], stroke: colors[k], paths: bars, points: { show: false } }))],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (u.select.width < 3) return;
            const from = u.posToVal(u.select.left, 'x') * 1e6;
            const to = u.posToVal(u.select.left + u.select.width, 'x') * 1e6;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            select.current(Math.floor(from), Math.ceil(to));
          },
        ],
      },
    };
    const series = [xs, ...order.map(({ i }) => sums[i])] as uPlot.AlignedData;
    plot.current?.destroy();
    plot.current = new uPlot(opts, series, host);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: host.clientWidth, height: 110 }));
    ro.observe(host);
    return () => ro.disconnect();
  }, [data]);

  useEffect(() => () => plot.current?.destroy(), []);

  const shown = data?.stack ?? stack;
  const names = shown === 'priority' ? PRIORITY_LABELS : data?.series.map((_, k) => sealLabel(k as never)) ?? [];
  const colors = shown === 'priority' ? PRIORITY_COLORS : SEAL_COLORS;
  const present = data ? data.series.map((s, k) => ({ k, n: s.reduce((a, b) => a + b, 0) })).filter((x) => x.n > 0) : [];
  return (
    <figure class="hist">
      <div class="histogram" ref={el} title="Drag across the chart to select a time range" role="img" aria-label="Entries over time; drag to select a time range" />
      <figcaption class="hist-legend">
        <span class="hist-stack" role="group" aria-label="Stack bars by">
          {(['priority', 'seal'] as const).map((s) => (
            <button type="button" key={s} class={`chip${stack === s ? ' on' : ''}`} aria-pressed={stack === s} onClick={() => onStack(s)}>
              by {s}
            </button>
          ))}
        </span>
        {present.map(({ k, n }) => (
          <span class="hist-key" key={k}>
            <span class="swatch" style={{ background: colors[k] }} aria-hidden="true" />
            {names[k]} <small>{n.toLocaleString()}</small>
          </span>
        ))}
        <span class="hist-hint">drag across the chart to select a time range</span>
      </figcaption>
    </figure>
  );
}
