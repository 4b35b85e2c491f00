/**
 * A small seeded, structure-aware mutator for journal files (the fuzz suites' input generator).
 *
 * Why not a fuzzing library: none of the maintained JS ones (fast-check, jsfuzz…) knows the journal
 * layout, and blind byte mutations almost never get past the open-time header checks. This one walks
 * the objects with the named offsets of src/journal/format.ts and aims at the fields systemd's checks
 * look at: object sizes, every offset field (hash chains, entry arrays, entry items, header pointers),
 * header counters, tag seqnums/epochs — plus plain byte flips, zeroed runs, truncations and objects
 * spliced in from another file.
 *
 * Deterministic: mutate(bytes, seed) always gives the same mutant and a description of what it did, so
 * a failing case is reproduced from (fixture, seed) alone.
 */
import {
  DataObject,
  EntryArrayObject,
  EntryObject,
  FieldObject,
  HashTableObject,
  Header,
  IncompatibleFlag,
  ObjectHeader,
  ObjectType,
  TagObject,
  align64,
} from '../../src/journal/format.js';

// ------------------------------------------------------------------------------------------- PRNG

/** xoshiro128** seeded through splitmix32: fast, 128-bit state, reproducible across platforms. */
export class Rng {
  private s: Uint32Array;
  constructor(seed: number | string) {
    let x = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = new Uint32Array([next(), next(), next(), next()]);
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }
  /** Next 32 random bits. */
  u32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return r;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (n <= 0) return 0;
    if (n <= 0x100000000) return Math.floor((this.u32() / 0x100000000) * n);
    return Math.floor((this.u32() * 0x100000000 + this.u32()) / 2 ** 64 * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)]!;
  }
  /** A random 64-bit value. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ------------------------------------------------------------------------------------------- layout

export interface ObjInfo {
  offset: number;
  type: number;
  /** Stored size (without padding). */
  size: number;
}

export interface Layout {
  headerSize: number;
  compact: boolean;
  objects: ObjInfo[];
  byType: Map<number, ObjInfo[]>;
}

const MAX_OBJECTS = 200_000;

function rd64(b: Uint8Array, off: number): bigint {
  if (off < 0 || off + 8 > b.length) return 0n;
  return new DataView(b.buffer, b.byteOffset + off, 8).getBigUint64(0, true);
}
function rd32(b: Uint8Array, off: number): number {
  if (off < 0 || off + 4 > b.length) return 0;
  return new DataView(b.buffer, b.byteOffset + off, 4).getUint32(0, true);
}
function wr64(b: Uint8Array, off: number, v: bigint): void {
  if (off < 0 || off + 8 > b.length) return;
  new DataView(b.buffer, b.byteOffset + off, 8).setBigUint64(0, BigInt.asUintN(64, v), true);
}
function wr32(b: Uint8Array, off: number, v: number): void {
  if (off < 0 || off + 4 > b.length) return;
  new DataView(b.buffer, b.byteOffset + off, 4).setUint32(0, v >>> 0, true);
}

/**
 * The objects of a (possibly damaged) file in file order: from header_size, following each object's
 * size, until the tail object, a bad size or the end of the bytes. Never throws.
 */
export function walkObjects(b: Uint8Array): Layout {
  const objects: ObjInfo[] = [];
  const byType = new Map<number, ObjInfo[]>();
  const headerSize = b.length >= Header.headerSize + 8 ? Number(rd64(b, Header.headerSize) & 0xffffffffn) : 0;
  const compact = (rd32(b, Header.incompatibleFlags) & IncompatibleFlag.COMPACT) !== 0;
  const tail = Number(rd64(b, Header.tailObjectOffset) & 0xffffffffffffn);
  let p = headerSize;
  if (p >= 16 && p % 8 === 0 && tail !== 0) {
    while (p + ObjectHeader.SIZE <= b.length && objects.length < MAX_OBJECTS) {
      const type = b[p + ObjectHeader.type]!;
      const size64 = rd64(b, p + ObjectHeader.size);
      if (size64 < 16n || size64 > BigInt(b.length - p)) break;
      const size = Number(size64);
      const o = { offset: p, type, size };
      objects.push(o);
      let list = byType.get(type);
      if (!list) byType.set(type, (list = []));
      list.push(o);
      if (p >= tail) break;
      p += align64(size);
    }
  }
  return { headerSize, compact, objects, byType };
}

/** A location of an offset-valued field: absolute position and width (8, or 4 for compact items). */
interface OffsetField {
  at: number;
  width: 4 | 8;
  what: string;
}

/** Every offset-valued field of the header and of the walked objects. */
export function offsetFields(b: Uint8Array, L: Layout): OffsetField[] {
  const out: OffsetField[] = [];
  const hdr = (name: keyof typeof Header, width: 4 | 8 = 8) => {
    if (Header[name] + width <= L.headerSize) out.push({ at: Header[name], width, what: `header.${name}` });
  };
  hdr('dataHashTableOffset');
  hdr('fieldHashTableOffset');
  hdr('tailObjectOffset');
  hdr('entryArrayOffset');
  hdr('tailEntryArrayOffset', 4);
  hdr('tailEntryOffset');
  for (const o of L.objects) {
    const p = o.offset;
    const f = (rel: number, what: string, width: 4 | 8 = 8) => {
      if (rel + width <= o.size) out.push({ at: p + rel, width, what: `${typeName(o.type)}@${p}.${what}` });
    };
    switch (o.type) {
      case ObjectType.DATA:
        f(DataObject.nextHashOffset, 'next_hash_offset');
        f(DataObject.nextFieldOffset, 'next_field_offset');
        f(DataObject.entryOffset, 'entry_offset');
        f(DataObject.entryArrayOffset, 'entry_array_offset');
        if (L.compact) f(DataObject.compactTailEntryArrayOffset, 'tail_entry_array_offset', 4);
        break;
      case ObjectType.FIELD:
        f(FieldObject.nextHashOffset, 'next_hash_offset');
        f(FieldObject.headDataOffset, 'head_data_offset');
        break;
      case ObjectType.ENTRY: {
        const w = L.compact ? EntryObject.ITEM_SIZE_COMPACT : EntryObject.ITEM_SIZE_REGULAR;
        for (let i = 0, q = EntryObject.ITEMS; q + w <= o.size && i < 64; i++, q += w) f(q, `item[${i}]`, L.compact ? 4 : 8);
        break;
      }
      case ObjectType.ENTRY_ARRAY: {
        f(EntryArrayObject.nextEntryArrayOffset, 'next_entry_array_offset');
        const w = L.compact ? EntryArrayObject.ITEM_SIZE_COMPACT : EntryArrayObject.ITEM_SIZE_REGULAR;
        for (let i = 0, q = EntryArrayObject.ITEMS; q + w <= o.size && i < 64; i++, q += w) f(q, `item[${i}]`, L.compact ? 4 : 8);
        break;
      }
      case ObjectType.DATA_HASH_TABLE:
      case ObjectType.FIELD_HASH_TABLE: {
        // Only non-empty buckets are interesting; keep the list short.
        const n = Math.floor((o.size - HashTableObject.ITEMS) / HashTableObject.ITEM_SIZE);
        for (let i = 0; i < n; i++) {
          const at = p + HashTableObject.ITEMS + i * HashTableObject.ITEM_SIZE;
          if (rd64(b, at) !== 0n) {
            out.push({ at, width: 8, what: `${typeName(o.type)}@${p}.bucket[${i}].head` });
            out.push({ at: at + 8, width: 8, what: `${typeName(o.type)}@${p}.bucket[${i}].tail` });
          }
        }
        break;
      }
    }
  }
  return out;
}

const TYPE_NAMES = ['unused', 'data', 'field', 'entry', 'data-hash-table', 'field-hash-table', 'entry-array', 'tag'];
export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `type${t}`;
}

// ------------------------------------------------------------------------------------------- operators

export interface MutateOptions {
  /** Files to splice objects from (other corpus files). */
  donors?: readonly Uint8Array[];
  /** How many operators to stack (default: 1–3, chosen by the seed). */
  ops?: number;
}

export interface Mutant {
  bytes: Uint8Array;
  /** What was done, one line per operator (for the failure message and the fixture's name). */
  ops: string[];
}

type Op = (b: Uint8Array, L: Layout, r: Rng, ctx: { donors: readonly Uint8Array[] }) => { bytes?: Uint8Array; desc: string };

/** Values a size or counter is set to. */
function interestingU64(r: Rng, cur: bigint, fileSize: number): bigint {
  return r.pick<() => bigint>([
    () => 0n,
    () => 1n,
    () => 15n,
    () => 16n,
    () => cur - 1n,
    () => cur + 1n,
    () => cur - 8n,
    () => cur + 8n,
    () => cur * 2n,
    () => BigInt(fileSize),
    () => BigInt(fileSize) + 8n,
    () => (1n << 31n) - 1n,
    () => 1n << 32n,
    () => (1n << 53n) + 8n,
    () => (1n << 55n),
    () => (1n << 63n),
    () => (1n << 64n) - 1n,
    () => (1n << 64n) - 8n,
    () => r.u64(),
  ])();
}

/** Values an offset field is pointed at. */
function interestingOffset(r: Rng, b: Uint8Array, L: Layout, cur: bigint, self: number): { v: bigint; why: string } {
  const objs = L.objects;
  const pickObj = (t?: number) => {
    const list = t === undefined ? objs : L.byType.get(t) ?? objs;
    return list.length ? r.pick(list).offset : 0;
  };
  const choices: Array<() => { v: bigint; why: string }> = [
    () => ({ v: 0n, why: '0' }),
    () => ({ v: BigInt(pickObj()), why: 'another object' }),
    () => ({ v: BigInt(pickObj(ObjectType.DATA)), why: 'a data object' }),
    () => ({ v: BigInt(pickObj(ObjectType.ENTRY)), why: 'an entry' }),
    () => ({ v: BigInt(pickObj(ObjectType.ENTRY_ARRAY)), why: 'an entry array' }),
    () => ({ v: BigInt(pickObj(ObjectType.TAG)), why: 'a tag' }),
    () => ({ v: BigInt(pickObj(ObjectType.FIELD)), why: 'a field' }),
    () => ({ v: BigInt(self), why: 'itself' }),
    () => ({ v: BigInt(b.length), why: 'end of file' }),
    () => ({ v: BigInt(b.length) - 8n, why: 'last 8 bytes' }),
    () => ({ v: BigInt(b.length) + 4096n, why: 'beyond the file' }),
    () => ({ v: cur + 1n, why: 'misaligned +1' }),
    () => ({ v: cur + 4n, why: 'misaligned +4' }),
    () => ({ v: cur - 8n, why: '-8' }),
    () => ({ v: cur + 8n, why: '+8' }),
    () => ({ v: BigInt(r.range(0, 30) * 8), why: 'inside the header' }),
    () => ({ v: (1n << 64n) - 8n, why: '2^64-8' }),
    () => ({ v: (1n << 53n), why: '2^53' }),
    () => ({ v: (1n << 32n) + BigInt(pickObj()), why: '2^32 + object' }),
  ];
  return r.pick(choices)();
}

const ops: Record<string, { weight: number; op: Op }> = {
  bitFlip: {
    weight: 6,
    op(b, L, r) {
      // Half of the flips land in the header or in object headers/fixed fields, where checks live.
      let at: number;
      const o = L.objects.length && r.chance(0.5) ? r.pick(L.objects) : undefined;
      if (o) at = o.offset + r.int(Math.min(o.size, 80));
      else if (r.chance(0.3)) at = r.int(Math.min(b.length, Math.max(L.headerSize, 272)));
      else at = r.int(b.length);
      const bit = r.int(8);
      b[at]! ^= 1 << bit;
      return { desc: `flip bit ${bit} of byte ${at}` };
    },
  },
  byteSet: {
    weight: 3,
    op(b, _L, r) {
      const at = r.int(b.length);
      const v = r.pick([0, 1, 0x7f, 0x80, 0xff, r.int(256)]);
      b[at] = v;
      return { desc: `set byte ${at} to 0x${v.toString(16)}` };
    },
  },
  zeroRun: {
    weight: 3,
    op(b, L, r) {
      const len = r.pick([8, 16, 64, 256, 4096, r.range(1, 65536)]);
      const start = L.objects.length && r.chance(0.6) ? r.pick(L.objects).offset + r.pick([0, 8, 16]) : r.int(b.length);
      b.fill(r.chance(0.8) ? 0 : 0xff, start, Math.min(b.length, start + len));
      return { desc: `fill ${len} bytes at ${start}` };
    },
  },
  truncate: {
    weight: 3,
    op(b, L, r) {
      let at: number;
      if (L.objects.length && r.chance(0.7)) {
        const o = r.pick(L.objects);
        at = o.offset + r.pick([0, 8, 16, r.int(o.size + 1), o.size, align64(o.size)]);
      } else at = r.int(b.length + 1);
      at = Math.max(0, Math.min(b.length, at));
      return { bytes: b.slice(0, at), desc: `truncate to ${at} bytes` };
    },
  },
  extend: {
    weight: 1,
    op(b, _L, r) {
      const extra = r.pick([8, 4096, 65536]);
      const out = new Uint8Array(b.length + extra);
      out.set(b);
      return { bytes: out, desc: `append ${extra} zero bytes` };
    },
  },
  objectSize: {
    weight: 5,
    op(b, L, r) {
      if (!L.objects.length) return { desc: 'objectSize: no objects' };
      const o = r.pick(L.objects);
      const v = interestingU64(r, BigInt(o.size), b.length);
      wr64(b, o.offset + ObjectHeader.size, v);
      return { desc: `size of ${typeName(o.type)}@${o.offset} ${o.size} -> ${v}` };
    },
  },
  objectType: {
    weight: 3,
    op(b, L, r) {
      if (!L.objects.length) return { desc: 'objectType: no objects' };
      const o = r.pick(L.objects);
      const t = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xff]);
      b[o.offset + ObjectHeader.type] = t;
      return { desc: `type of ${typeName(o.type)}@${o.offset} -> ${t}` };
    },
  },
  objectFlags: {
    weight: 2,
    op(b, L, r) {
      if (!L.objects.length) return { desc: 'objectFlags: no objects' };
      const list = L.byType.get(ObjectType.DATA) ?? L.objects;
      const o = r.pick(list);
      const f = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, 0x80]);
      b[o.offset + ObjectHeader.flags] = f;
      return { desc: `flags of ${typeName(o.type)}@${o.offset} -> 0x${f.toString(16)}` };
    },
  },
  offsetField: {
    weight: 8,
    op(b, L, r) {
      const fields = offsetFields(b, L);
      if (!fields.length) return { desc: 'offsetField: none' };
      const f = r.pick(fields);
      const cur = f.width === 8 ? rd64(b, f.at) : BigInt(rd32(b, f.at));
      const owner = L.objects.find((o) => f.at >= o.offset && f.at < o.offset + o.size)?.offset ?? 0;
      const { v, why } = interestingOffset(r, b, L, cur, owner);
      if (f.width === 8) wr64(b, f.at, v);
      else wr32(b, f.at, Number(BigInt.asUintN(32, v)));
      return { desc: `${f.what} ${cur} -> ${BigInt.asUintN(f.width * 8, v)} (${why})` };
    },
  },
  entryArrayCycle: {
    weight: 3,
    op(b, L, r) {
      const arrays = L.byType.get(ObjectType.ENTRY_ARRAY) ?? [];
      if (!arrays.length) return { desc: 'entryArrayCycle: no arrays' };
      const a = r.pick(arrays);
      const target = r.chance(0.3) ? a : r.pick(arrays.filter((x) => x.offset <= a.offset));
      if (r.chance(0.5)) {
        wr64(b, a.offset + EntryArrayObject.nextEntryArrayOffset, BigInt(target.offset));
        return { desc: `entry-array@${a.offset}.next -> ${target.offset} (cycle)` };
      }
      // A data object's chain entered mid-way, or pointed back at an array already on it.
      const datas = L.byType.get(ObjectType.DATA) ?? [];
      if (!datas.length) return { desc: 'entryArrayCycle: no data' };
      const d = r.pick(datas);
      wr64(b, d.offset + DataObject.entryArrayOffset, BigInt(target.offset));
      return { desc: `data@${d.offset}.entry_array_offset -> ${target.offset}` };
    },
  },
  hashChainCycle: {
    weight: 3,
    op(b, L, r) {
      const t = r.chance(0.75) ? ObjectType.DATA : ObjectType.FIELD;
      const list = L.byType.get(t) ?? [];
      if (!list.length) return { desc: 'hashChainCycle: none' };
      const o = r.pick(list);
      const earlier = list.filter((x) => x.offset <= o.offset);
      const target = r.pick(earlier);
      const rel = t === ObjectType.DATA ? DataObject.nextHashOffset : FieldObject.nextHashOffset;
      wr64(b, o.offset + rel, BigInt(target.offset));
      return { desc: `${typeName(t)}@${o.offset}.next_hash_offset -> ${target.offset} (cycle)` };
    },
  },
  headerCounter: {
    weight: 5,
    op(b, L, r) {
      const names = [
        'nObjects', 'nEntries', 'tailEntrySeqnum', 'headEntrySeqnum', 'headEntryRealtime', 'tailEntryRealtime',
        'tailEntryMonotonic', 'nData', 'nFields', 'nTags', 'nEntryArrays', 'dataHashChainDepth',
        'fieldHashChainDepth', 'arenaSize', 'headerSize', 'dataHashTableSize', 'fieldHashTableSize',
      ] as const;
      const name = r.pick(names);
      const at = Header[name];
      if (at + 8 > Math.max(L.headerSize, 208)) return { desc: `header.${name}: absent` };
      const cur = rd64(b, at);
      const v = interestingU64(r, cur, b.length);
      wr64(b, at, v);
      return { desc: `header.${name} ${cur} -> ${BigInt.asUintN(64, v)}` };
    },
  },
  headerFlags: {
    weight: 2,
    op(b, _L, r) {
      const which = r.pick(['compatibleFlags', 'incompatibleFlags', 'state'] as const);
      const at = Header[which];
      if (which === 'state') {
        const v = r.pick([0, 1, 2, 3, 0xff]);
        b[at] = v;
        return { desc: `header.state -> ${v}` };
      }
      const cur = rd32(b, at);
      const v = (cur ^ (1 << r.int(which === 'compatibleFlags' ? 4 : 6))) >>> 0;
      wr32(b, at, v);
      return { desc: `header.${which} 0x${cur.toString(16)} -> 0x${v.toString(16)}` };
    },
  },
  tagFields: {
    weight: 3,
    op(b, L, r) {
      const tags = L.byType.get(ObjectType.TAG) ?? [];
      if (!tags.length) return { desc: 'tagFields: no tags' };
      const t = r.pick(tags);
      const field = r.pick(['seqnum', 'epoch', 'tag'] as const);
      if (field === 'tag') {
        const i = r.int(TagObject.TAG_LENGTH);
        b[t.offset + TagObject.tag + i]! ^= 1 << r.int(8);
        return { desc: `tag@${t.offset}.tag[${i}] flipped` };
      }
      const at = t.offset + TagObject[field];
      const cur = rd64(b, at);
      const v = r.pick([cur + 1n, cur - 1n, 0n, cur + 100n, (1n << 55n), r.u64()]);
      wr64(b, at, v);
      return { desc: `tag@${t.offset}.${field} ${cur} -> ${BigInt.asUintN(64, v)}` };
    },
  },
  entryFields: {
    weight: 3,
    op(b, L, r) {
      const entries = L.byType.get(ObjectType.ENTRY) ?? [];
      if (!entries.length) return { desc: 'entryFields: no entries' };
      const e = r.pick(entries);
      const field = r.pick(['seqnum', 'realtime', 'monotonic', 'xorHash', 'bootId'] as const);
      const at = e.offset + EntryObject[field];
      if (field === 'bootId') {
        b.fill(r.chance(0.5) ? 0 : r.int(256), at, at + 16);
        return { desc: `entry@${e.offset}.boot_id overwritten` };
      }
      const cur = rd64(b, at);
      const v = r.pick([cur + 1n, cur - 1n, 0n, 1n, (1n << 55n) - 1n, 1n << 55n, r.u64()]);
      wr64(b, at, v);
      return { desc: `entry@${e.offset}.${field} ${cur} -> ${BigInt.asUintN(64, v)}` };
    },
  },
  dataFields: {
    weight: 3,
    op(b, L, r) {
      const datas = L.byType.get(ObjectType.DATA) ?? [];
      if (!datas.length) return { desc: 'dataFields: no data' };
      const d = r.pick(datas);
      const field = r.pick(['hash', 'nEntries', 'payload'] as const);
      if (field === 'payload') {
        const start = d.offset + (L.compact ? DataObject.PAYLOAD_COMPACT : DataObject.PAYLOAD_REGULAR);
        if (start >= d.offset + d.size) return { desc: `data@${d.offset}: empty payload` };
        const at = r.range(start, d.offset + d.size - 1);
        b[at]! ^= 1 << r.int(8);
        return { desc: `data@${d.offset} payload byte ${at - start} flipped` };
      }
      const at = d.offset + DataObject[field];
      const cur = rd64(b, at);
      const v = r.pick([cur + 1n, cur - 1n, 0n, 1n, 2n, (1n << 32n), (1n << 64n) - 1n, r.u64()]);
      wr64(b, at, v);
      return { desc: `data@${d.offset}.${field} ${cur} -> ${BigInt.asUintN(64, v)}` };
    },
  },
  splice: {
    weight: 3,
    op(b, L, r, ctx) {
      // Copy an object of a donor file over an object of this one (same offset, truncated to fit the
      // file), or over a random aligned spot.
      if (!ctx.donors.length || !L.objects.length) return { desc: 'splice: no donor' };
      const donor = r.pick(ctx.donors);
      const DL = walkObjects(donor);
      if (!DL.objects.length) return { desc: 'splice: donor has no objects' };
      const src = r.pick(DL.objects);
      const dst = r.chance(0.7) ? r.pick(L.objects).offset : L.headerSize + 8 * r.int(Math.max(1, (b.length - L.headerSize) / 8));
      const n = Math.min(align64(src.size), b.length - dst);
      b.set(donor.subarray(src.offset, src.offset + n), dst);
      return { desc: `splice ${typeName(src.type)} (${src.size} bytes) from donor@${src.offset} over ${dst}` };
    },
  },
  duplicateObject: {
    weight: 2,
    op(b, L, r) {
      // An object of this file copied over another (e.g. a second data hash table, a duplicate entry).
      if (L.objects.length < 2) return { desc: 'duplicate: too few objects' };
      const src = r.pick(L.objects);
      const dst = r.pick(L.objects);
      const n = Math.min(align64(src.size), b.length - dst.offset);
      b.copyWithin(dst.offset, src.offset, src.offset + n);
      return { desc: `copy ${typeName(src.type)}@${src.offset} over ${typeName(dst.type)}@${dst.offset}` };
    },
  },
};

const opNames = Object.keys(ops);
const totalWeight = opNames.reduce((s, k) => s + ops[k]!.weight, 0);

function pickOp(r: Rng): string {
  let x = r.int(totalWeight);
  for (const k of opNames) {
    x -= ops[k]!.weight;
    if (x < 0) return k;
  }
  return opNames[0]!;
}

/** The names of all operators (for tests that want to cover each one). */
export const OPERATORS: readonly string[] = opNames;

/**
 * A mutant of `input` (never modified) made from `seed`. `only` forces one operator (for tests that
 * want a specific mutation class).
 */
export function mutate(input: Uint8Array, seed: number | string, opts: MutateOptions & { only?: string } = {}): Mutant {
  const r = new Rng(seed);
  let b: Uint8Array = input.slice();
  const n = opts.only ? 1 : opts.ops ?? (r.chance(0.6) ? 1 : r.range(2, 3));
  const done: string[] = [];
  const ctx = { donors: opts.donors ?? [] };
  for (let i = 0; i < n; i++) {
    const name = opts.only ?? pickOp(r);
    const L = walkObjects(b);
    const res = ops[name]!.op(b, L, r, ctx);
    if (res.bytes) b = res.bytes;
    done.push(`${name}: ${res.desc}`);
  }
  return { bytes: b, ops: done };
}
