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
  onSelect(from: number, to: number): void;
}

const PRIORITY_COLORS = ['#7f0000', '#b00020', '#d32f2f', '#e53935', '#fb8c00', '#1e88e5', '#43a047', '#9e9e9e', '#bdbdbd'];
const SEAL_COLORS = ['#2e7d32', '#f9a825', '#c62828', '#757575', '#90a4ae', '#cfd8dc'];

export function Histogram({ data, onSelect }: Props) {
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
    const sums: number[][] = [];
    let acc = new Array<number>(data.buckets).fill(0);
    for (const k of keys) {
      acc = acc.map((a, b) => a + data.series[k][b]);
      sums.push(acc);
    }
    const names = data.stack === 'priority' ? PRIORITY_LABELS : data.series.map((_, k) => sealLabel(k as never));
    const colors = data.stack === 'priority' ? PRIORITY_COLORS : SEAL_COLORS;
    const order = keys.map((k, i) => ({ k, i })).reverse();
    const bars = uPlot.paths.bars!({ size: [0.9, 100] });
    const opts: uPlot.Options = {
      width: host.clientWidth || 600,
      height: 110,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: { x: { time: true } },
      axes: [{ stroke: 'currentColor', grid: { show: false } }, { stroke: 'currentColor', size: 40, grid: { stroke: 'rgba(128,128,128,.2)' } }],
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
  return <div class="histogram" ref={el} title="Drag to select a time range" aria-label="Entries over time" />;
}
