/**
 * Entry counts over time in equal buckets, stacked by priority (0–7, then "none") or by seal status.
 */
import { NO_PRIORITY, type SearchIndex } from './index.js';
import type { Bits } from './query.js';
import { SEAL_STATUS_COUNT } from './seal-status.js';

export type HistogramStack = 'priority' | 'seal';

export interface Histogram {
  /** Start of the first bucket, µs. */
  from: number;
  /** Bucket width, µs (≥ 1). */
  step: number;
  buckets: number;
  stack: HistogramStack;
  /** series[k][b]: entries of stack key k in bucket b. priority: k = PRIORITY (8 = none); seal: SealStatus. */
  series: Uint32Array[];
  /** Entries counted (those of the filter inside [from, from + step·buckets)). */
  total: number;
}

/** Bucket widths people read easily, µs. */
const NICE_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5,
  1e6, 2e6, 5e6, 10e6, 15e6, 30e6, 60e6, 120e6, 300e6, 600e6, 900e6, 1800e6, 3600e6,
  7200e6, 3 * 3600e6, 6 * 3600e6, 12 * 3600e6, 86400e6, 2 * 86400e6, 7 * 86400e6, 30 * 86400e6, 365 * 86400e6,
];

export function niceStep(span: number, maxBuckets: number): number {
  const raw = span / Math.max(1, maxBuckets);
  for (const s of NICE_STEPS) if (s >= raw) return s;
  return Math.ceil(raw / NICE_STEPS[NICE_STEPS.length - 1]) * NICE_STEPS[NICE_STEPS.length - 1];
}

export function histogram(
  idx: SearchIndex,
  bits: Bits,
  opts: { from?: number; to?: number; maxBuckets?: number; stack?: HistogramStack } = {},
): Histogram {
  const stack = opts.stack ?? 'priority';
  const lo = opts.from ?? idx.minRealtime;
  const hi = Math.max(lo + 1, opts.to ?? idx.maxRealtime + 1);
  const step = niceStep(hi - lo, opts.maxBuckets ?? 120);
  const from = Math.floor(lo / step) * step;
  const buckets = Math.max(1, Math.ceil((hi - from) / step));
  const keys = stack === 'priority' ? 9 : SEAL_STATUS_COUNT;
  const series = Array.from({ length: keys }, () => new Uint32Array(buckets));
  const rt = idx.realtime;
  const prio = idx.priority;
  const seal = idx.seal;
  let total = 0;
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w];
    while (word !== 0) {
      const bit = 31 - Math.clz32(word & -word);
      word &= word - 1;
      const e = (w << 5) | bit;
      const b = Math.floor((rt[e] - from) / step);
      if (b < 0 || b >= buckets || rt[e] >= hi || rt[e] < lo) continue;
      const k = stack === 'priority' ? (prio[e] === NO_PRIORITY ? 8 : prio[e]) : seal[e];
      series[k][b]++;
      total++;
    }
  }
  return { from, step, buckets, stack, series, total };
}
