/**
 * Value counts per field under the current filter. A field's own selection does not narrow its own counts
 * (so the other values stay visible to add to the OR), every other constraint does.
 */
import type { SearchIndex } from './index.js';
import { bitsWithoutField, type Evaluation } from './query.js';

export interface FacetValue {
  value: string;
  count: number;
}

export interface Facet {
  field: string;
  /** Distinct values of the field in the whole index. */
  distinct: number;
  /** Values by descending count (then value), at most `limit`, always including selected values. */
  values: FacetValue[];
  /** Sum of the counts (entries with the field, an entry counted once per value it holds). */
  total: number;
}

/** Netdata's default facet fields (the ones a person filters by), in display order. */
export const DEFAULT_FACET_FIELDS = [
  'PRIORITY', '_SYSTEMD_UNIT', 'SYSLOG_IDENTIFIER', '_HOSTNAME', '_BOOT_ID', '_TRANSPORT', '_COMM', '_EXE',
  'SYSLOG_FACILITY', 'UNIT', 'USER_UNIT', 'UNIT_RESULT', '_UID', '_GID', '_SYSTEMD_SLICE', '_SYSTEMD_USER_UNIT',
  '_SYSTEMD_SESSION', '_SYSTEMD_OWNER_UID', '_SYSTEMD_CGROUP', 'MESSAGE_ID', 'ERRNO', 'CODE_FILE', 'CODE_FUNC',
  '_KERNEL_SUBSYSTEM', '_UDEV_DEVNODE', 'CONTAINER_NAME', 'CONTAINER_ID', 'IMAGE_NAME', '_MACHINE_ID', '_NAMESPACE',
  'COREDUMP_COMM', 'COREDUMP_UNIT', 'COREDUMP_SIGNAL_NAME', '_CAP_EFFECTIVE', '_AUDIT_LOGINUID', '_SELINUX_CONTEXT',
];

/** Fields Netdata leaves out of facets by default: free text, timestamps, raw values, per-entry ids. */
export function isFacetByDefault(field: string): boolean {
  if (DEFAULT_FACET_FIELDS.includes(field)) return true;
  if (field.includes('MESSAGE') || field.endsWith('_RAW') || field.endsWith('_USEC') || field.endsWith('_NSEC')) return false;
  if (field.includes('TIMESTAMP') || field.endsWith('_ID') || field.includes('_ID_') || field.startsWith('__')) return false;
  return true;
}

/** Every field present, with its number of distinct values, most common fields first. */
export function listFields(idx: SearchIndex): Array<{ field: string; distinct: number; entries: number }> {
  idx.finalize();
  const out: Array<{ field: string; distinct: number; entries: number }> = [];
  idx.fieldStats.forEach((st, f) => {
    if (st.distinct) out.push({ field: idx.fields[f], ...st });
  });
  return out.sort((a, b) => b.entries - a.entries || (a.field < b.field ? -1 : 1));
}

export function facetCounts(
  idx: SearchIndex,
  ev: Evaluation,
  fields: readonly string[],
  opts: { limit?: number; selected?: Record<string, string[]> } = {},
): Facet[] {
  const limit = opts.limit ?? 50;
  const out: Facet[] = [];
  const post = idx.post;
  const postStart = idx.postStart;
  const counts = new Uint32Array(idx.nValues);
  const fids = fields.map((f) => idx.findField(f));
  // Fields without a selection of their own count against ev.bits: either walk the matching entries'
  // items once for all of them, or test each value's postings; whichever touches fewer items.
  const shared = fids.filter((f) => f >= 0 && !ev.groups.has(f));
  if (shared.length) {
    const avgItems = idx.n ? idx.nItems / idx.n : 0;
    let postCost = 0;
    for (const f of shared) postCost += idx.fieldStats[f].entries;
    if (ev.count === idx.order.length && ev.count === idx.n) {
      for (const f of shared) for (const v of idx.valuesOf(f)) counts[v] = postStart[v + 1] - postStart[v];
    } else if (ev.count * avgItems < postCost) {
      const want = new Uint8Array(idx.fields.length);
      for (const f of shared) want[f] = 1;
      const vField = idx.valueField;
      const items = idx.items;
      const itemStart = idx.itemStart;
      const bits = ev.bits;
      for (let w = 0; w < bits.length; w++) {
        let word = bits[w];
        while (word !== 0) {
          const e = (w << 5) | (31 - Math.clz32(word & -word));
          word &= word - 1;
          for (let k = itemStart[e], end = itemStart[e + 1]; k < end; k++) if (want[vField[items[k]]]) counts[items[k]]++;
        }
      }
    } else {
      for (const f of shared) countByPostings(idx, f, ev.bits, counts);
    }
  }
  for (const f of fids) if (f >= 0 && ev.groups.has(f)) countByPostings(idx, f, bitsWithoutField(ev, f), counts);

  fields.forEach((field, i) => {
    const f = fids[i];
    if (f < 0) {
      out.push({ field, distinct: 0, values: [], total: 0 });
      return;
    }
    const counted: Array<{ v: number; count: number }> = [];
    let total = 0;
    for (const v of idx.valuesOf(f)) {
      const c = counts[v];
      total += c;
      if (c) counted.push({ v, count: c });
    }
    counted.sort((a, b) => b.count - a.count || (idx.valueText[a.v] < idx.valueText[b.v] ? -1 : 1));
    const values: FacetValue[] = counted.slice(0, limit).map(({ v, count }) => ({ value: idx.valueText[v], count }));
    for (const sel of opts.selected?.[field] ?? []) {
      if (!values.some((x) => x.value === sel)) {
        const v = idx.findValue(field, sel);
        values.push({ value: sel, count: v >= 0 ? counts[v] : 0 });
      }
    }
    out.push({ field, distinct: idx.fieldStats[f].distinct, values, total });
  });
  return out;
}

function countByPostings(idx: SearchIndex, f: number, bits: Uint32Array, counts: Uint32Array): void {
  const post = idx.post;
  const postStart = idx.postStart;
  for (const v of idx.valuesOf(f)) {
    let c = 0;
    for (let k = postStart[v], end = postStart[v + 1]; k < end; k++) {
      const e = post[k];
      if (bits[e >>> 5] & (1 << (e & 31))) c++;
    }
    counts[v] = c;
  }
}
