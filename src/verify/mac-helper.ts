/**
 * A second thread for the seal's arithmetic. On a sealed file the tags' keys (FSPRG: the key's primes,
 * then one 1536-bit squaring per epoch) and their HMACs are about a third of the fast path's work,
 * and none of it depends on the structural checks. With a helper, the verifying thread only gathers
 * each accepted tag segment's bytes into a batch and hands the batch over (transferred, not copied);
 * the helper derives the keys and hashes while the scan goes on, and sends the digests back.
 *
 * Environment-neutral: each side is a message port (a web MessagePort, or a Node worker_threads
 * one); the CLI and the page start the thread. A digest is only ever compared with a tag for the
 * segment the replay derives itself (tag-macs.ts), so a helper that fails or answers wrongly can
 * only send the file to the exact verifier, never make it pass.
 */
import type { BufferStore } from './buffer-store.js';
import type { Fsprg, Kernel } from '../kernel/kernel.js';
import { fsprgFor } from './fsprg-cache.js';
import { KeyError, parseVerificationKey } from './key.js';
import type { PlatformHmac } from './tag-macs.js';
import { yieldTask } from './window.js';
import { CompatibleFlag, Header, IncompatibleFlag } from '../journal/format.js';

/** The part of a MessagePort both sides use (web and Node ports both have it). */
export interface HelperPort {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (e: object) => void): void;
  /** Web ports deliver nothing until started (addEventListener does not start them). */
  start?(): void;
}

/**
 * Bytes left free before each message of a MacBatch, the helper's to overwrite: HMAC's inner key
 * block goes there, so that a platform SHA-256 (WebCrypto's digest) hashes block and message as one
 * buffer, without a copy of its own or a key import per tag.
 */
export const MESSAGE_ROOM = 64;

/**
 * Segments to hash: message i is bytes [ends[i-1] + MESSAGE_ROOM, ends[i]) of `bytes` (ends[-1] = 0),
 * keyed by epochs[i]'s key under `seed` (the run's own: a digest under any other key could match a
 * tag the run's key does not).
 */
export interface MacBatch {
  seed: Uint8Array;
  epochs: BigUint64Array;
  ends: Uint32Array;
  bytes: ArrayBuffer;
}

/** 32 bytes per message in order, or null (the helper failed); the batch's bytes come back for reuse. */
export interface MacResult {
  digests: Uint8Array | null;
  bytes: ArrayBuffer | null;
}

/**
 * Compressed DATA payloads to check (payloads.ts): payload i is bytes [ends[i-1], ends[i]), stored
 * with object flags flags[i]; decompressed and hashed as the file hashes (keyed: SipHash-2-4 with
 * the file ID), it must equal hashes[i].
 */
export interface PayloadBatch {
  flags: Uint8Array;
  hashes: BigUint64Array;
  ends: Uint32Array;
  bytes: ArrayBuffer;
  keyed: boolean;
  fileId: Uint8Array;
}

/** ok: every payload matched (false: one did not); null: the helper could not check them. */
export interface PayloadResult {
  ok: boolean | null;
  bytes: ArrayBuffer | null;
}

/** The verifying thread's end of a helper. */
export interface MacHelper {
  /** Bytes of tag segments per batch, and batches with the helper at once (default 4 MiB, 4; tests make them small to run out). */
  readonly batchBytes?: number;
  readonly batchBuffers?: number;
  hash(batch: MacBatch): Promise<MacResult>;
  /** The epochs' HMAC keys under `seed`, 32 bytes each in order (null: the helper failed). In order with hash() batches. */
  keys(seed: Uint8Array, epochs: BigUint64Array): Promise<Uint8Array | null>;
  checkPayloads(batch: PayloadBatch): Promise<PayloadResult>;
}

/** A helper started for a run (the CLI's thread, the page's worker): its client, and how to let it go. */
export interface StartedMacHelper {
  helper: MacHelper;
  /** The run is over: closes the channel and ends the helper's thread. */
  close(): void;
}

/**
 * Below this size a helper's start-up (a thread, ~0.1 s) costs more than its share of the work
 * saves: a 1 MiB sealed file took 0.44 s with one and 0.3 s without (CLI).
 */
export const HELPER_MIN_BYTES = 32 << 20;

/**
 * The page's spare seal helper marks this (performance.mark) each time it has derived, ahead of any
 * file, the FSPRG of a key the user typed (web/workers/seal-helper.worker.ts): profiles and tests see it.
 */
export const KEY_PRIMED_MARK = 'sealcheck:key-primed';

/**
 * What a file of `size` bytes starting with `head` (at least its first 16 bytes: the flags) has for a
 * helper: 'seal' when it is big and sealed and a key is given (the helper derives the key ahead),
 * 'payloads' when it is big and compressed, null otherwise or when the head is too short to say
 * (the verifier reports why).
 */
export function macHelperWork(head: Uint8Array, size: number, withKey: boolean): 'seal' | 'payloads' | null {
  if (size < HELPER_MIN_BYTES || head.length < Header.incompatibleFlags + 4) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const compressed = IncompatibleFlag.COMPRESSED_XZ | IncompatibleFlag.COMPRESSED_LZ4 | IncompatibleFlag.COMPRESSED_ZSTD;
  if (withKey && (v.getUint32(Header.compatibleFlags, true) & CompatibleFlag.SEALED) !== 0) return 'seal';
  return (v.getUint32(Header.incompatibleFlags, true) & compressed) !== 0 ? 'payloads' : null;
}

type Request = ({ kind: 'macs' } & MacBatch) | ({ kind: 'payloads' } & PayloadBatch) | { kind: 'keys'; seed: Uint8Array; epochs: BigUint64Array; bytes?: undefined };
interface Reply {
  id: number;
  digests?: Uint8Array | null;
  keys?: Uint8Array | null;
  ok?: boolean | null;
  bytes: ArrayBuffer | null;
}

/**
 * The verifying thread's end over `port`. The caller reports that the helper stopped (its thread
 * died) with gone(): every batch still waiting then resolves as not done, and later ones at once.
 */
export function macHelperClient(port: HelperPort): MacHelper & { gone(): void } {
  const waiting = new Map<number, (r: Reply | null) => void>();
  let next = 0;
  let alive = true;
  port.addEventListener('message', (e) => {
    const r = (e as { data: Reply }).data;
    const done = waiting.get(r?.id);
    if (!done) return;
    waiting.delete(r.id);
    done(r);
  });
  port.start?.();
  const ask = (req: Request): Promise<Reply | null> => {
    if (!alive) return Promise.resolve(null);
    const id = next++;
    return new Promise((resolve) => {
      waiting.set(id, resolve);
      port.postMessage({ id, ...req }, req.bytes ? [req.bytes] : []);
    });
  };
  const bytesOf = (r: Reply | null, sent: ArrayBuffer) => (r === null ? (sent.byteLength > 0 ? sent : null) : r.bytes instanceof ArrayBuffer ? r.bytes : null);
  return {
    async hash(batch) {
      const r = await ask({ kind: 'macs', ...batch });
      return { digests: r?.digests instanceof Uint8Array ? r.digests : null, bytes: bytesOf(r, batch.bytes) };
    },
    async keys(seed, epochs) {
      const r = await ask({ kind: 'keys', seed, epochs });
      return r?.keys instanceof Uint8Array ? r.keys : null;
    },
    async checkPayloads(batch) {
      const r = await ask({ kind: 'payloads', ...batch });
      return { ok: typeof r?.ok === 'boolean' ? r.ok : null, bytes: bytesOf(r, batch.bytes) };
    },
    gone() {
      alive = false;
      for (const done of waiting.values()) done(null);
      waiting.clear();
    },
  };
}

/** SHA-256 by the platform, asynchronous (WebCrypto's digest: it copies `data` when called). */
export type PlatformDigest = (data: Uint8Array) => Promise<ArrayBuffer>;

/**
 * The helper's end: derives the FSPRG of `keyText` at once (its primes, the costly part, while the
 * verifying thread is still reading the file), then answers requests in order. Each request names
 * its seed; another seed than keyText's is derived when asked for. `keyText` null: nothing derived
 * ahead. `hmac`: the platform's HMAC-SHA256 (Node's OpenSSL); else `digest`, the platform's SHA-256
 * (the page's WebCrypto); else the kernel's four lanes.
 */
export function serveMacHelper(port: HelperPort, kernel: Kernel, keyText: string | null, hmac?: PlatformHmac, digest?: PlatformDigest): void {
  const keysBySeed = new Map<Fsprg, EpochKeys>();
  const fsprgOf = (seed: Uint8Array): EpochKeys => {
    if (!(seed instanceof Uint8Array)) throw new TypeError('malformed request');
    const g = fsprgFor(kernel, seed);
    let k = keysBySeed.get(g);
    if (!k) {
      keysBySeed.clear();
      keysBySeed.set(g, (k = new EpochKeys(g)));
    }
    return k;
  };
  try {
    if (keyText !== null) fsprgOf(parseVerificationKey(keyText).seed);
  } catch (e) {
    if (!(e instanceof KeyError)) throw e;
  }
  // the platform's HMAC one message at a time; or the platform's SHA-256 over the batch (the
  // kernel's lanes if it fails, and for the rest of the run); or the kernel's four lanes
  let platformDigest = digest;
  const hashAll = async (req: MacBatch, keyOf: (epoch: bigint) => Uint8Array): Promise<Uint8Array> => {
    const list = messages(req, keyOf);
    if (hmac) return hashBatch(list, hmac);
    if (platformDigest) {
      try {
        return await digestBatch(list, platformDigest, kernel);
      } catch {
        platformDigest = undefined;
      }
    }
    const out = new Uint8Array(32 * list.length);
    kernel.hmacSha256Many(list.map(({ key, message }) => ({ key, parts: [message] }))).forEach((d, i) => out.set(d, 32 * i));
    return out;
  };
  // One request at a time: key requests first (the verifying thread waits for them, to hash tags
  // itself when the helper is behind; the keys of the epochs stepped over on the way stay cached
  // for the batches still queued), then tag batches and payloads in the order sent (the verifying
  // thread shares both with the helper, and does itself what the helper has no room for: taking
  // tag batches first left it all the payloads, +200 ms on the 120 MiB sealed ZSTD journal).
  // Between requests the event loop runs, so a request that came in meanwhile takes its place.
  const keys: (Request & { id: number })[] = [];
  const work: (Request & { id: number })[] = [];
  let busy = false;
  const pump = async () => {
    busy = true;
    for (;;) {
      const req = keys.shift() ?? work.shift();
      if (!req) break;
      const reply: Reply = { id: req.id, bytes: req.bytes instanceof ArrayBuffer ? req.bytes : null };
      try {
        if (req.kind === 'macs') {
          const g = fsprgOf(req.seed);
          reply.digests = await hashAll(req, (epoch) => g.key(epoch));
        } else if (req.kind === 'keys') {
          const g = fsprgOf(req.seed);
          // the batches still queued hold earlier tags: their keys first, in order, so the FSPRG
          // steps forward through all of them once instead of seeking ahead and back
          const first = req.epochs instanceof BigUint64Array && req.epochs.length > 0 ? req.epochs[0]! : 0n;
          for (const b of work) {
            if (b.kind !== 'macs' || !(b.epochs instanceof BigUint64Array) || !sameSeed(b.seed, req.seed)) continue;
            for (const e of b.epochs) if (e < first) g.key(e);
          }
          reply.keys = keysOf(req.epochs, (epoch) => g.key(epoch));
        } else {
          reply.ok = await checkPayloadBatch(req, kernel);
        }
      } catch {
        // a malformed request: the verifying thread does that work itself
        reply.digests = null;
        reply.keys = null;
        reply.ok = null;
      }
      port.postMessage(reply, reply.bytes ? [reply.bytes] : []);
      await yieldTask();
    }
    busy = false;
  };
  port.addEventListener('message', (e) => {
    const req = (e as { data: Request & { id: number } }).data;
    if (req?.kind === 'keys') keys.push(req);
    else if (req?.kind === 'macs' || req?.kind === 'payloads') work.push(req);
    else return;
    if (!busy) void pump();
  });
  port.start?.();
}

function sameSeed(a: unknown, b: Uint8Array): boolean {
  return a instanceof Uint8Array && a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Epochs stepped to one by one (Evolve) rather than sought (Seek, ~1 ms: ~100 Evolves). */
const EVOLVE_MAX = 64;
/** Keys kept (~100 bytes each). */
const KEYS_KEPT = 8192;

/**
 * The epoch keys of one seed, derived in epoch order and kept: key requests (for tags the verifying
 * thread hashes itself) may come before the batches of earlier tags still queued, and those then
 * find their keys here instead of sending the FSPRG back (a Seek).
 */
export class EpochKeys {
  private readonly kept = new Map<bigint, Uint8Array>();
  /** The highest epoch derived. */
  private top = -1n;

  constructor(private readonly g: Fsprg) {}

  key(epoch: bigint): Uint8Array {
    const hit = this.kept.get(epoch);
    if (hit) return hit;
    if (this.top >= 0n && epoch > this.top && epoch - this.top <= EVOLVE_MAX) {
      for (let e = this.top + 1n; e < epoch; e++) this.keep(e, this.g.epochKey(e));
    }
    const k = this.g.epochKey(epoch);
    this.keep(epoch, k);
    return k;
  }

  private keep(epoch: bigint, key: Uint8Array): void {
    this.kept.set(epoch, key);
    if (epoch > this.top) this.top = epoch;
    if (this.kept.size > KEYS_KEPT) this.kept.delete(this.kept.keys().next().value as bigint);
  }
}

function keysOf(epochs: BigUint64Array, keyOf: (epoch: bigint) => Uint8Array): Uint8Array {
  if (!(epochs instanceof BigUint64Array)) throw new TypeError('malformed request');
  const out = new Uint8Array(32 * epochs.length);
  epochs.forEach((e, i) => out.set(keyOf(e), 32 * i));
  return out;
}

/** A message to hash and its epoch's key. */
interface KeyedMessage {
  key: Uint8Array;
  message: Uint8Array;
}

/** A batch's messages (each with the MESSAGE_ROOM bytes before it), checked against its buffer, with their keys. */
function messages(req: MacBatch, keyOf: (epoch: bigint) => Uint8Array): KeyedMessage[] {
  const { epochs, ends, bytes } = req;
  if (!(epochs instanceof BigUint64Array && ends instanceof Uint32Array && bytes instanceof ArrayBuffer) || epochs.length !== ends.length) {
    throw new TypeError('malformed batch');
  }
  const out = [];
  let from = 0;
  for (let i = 0; i < ends.length; i++) {
    const to = ends[i]!;
    if (to < from + MESSAGE_ROOM || to > bytes.byteLength) throw new RangeError('malformed batch');
    out.push({ key: keyOf(epochs[i]!), message: new Uint8Array(bytes, from + MESSAGE_ROOM, to - from - MESSAGE_ROOM) });
    from = to;
  }
  return out;
}

function hashBatch(list: KeyedMessage[], hmac: PlatformHmac): Uint8Array {
  const out = new Uint8Array(32 * list.length);
  list.forEach(({ key, message }, i) => {
    const d = hmac(key, message);
    if (!(d instanceof Uint8Array) || d.length < 32) throw new TypeError('the HMAC did not answer in place');
    out.set(d.subarray(0, 32), 32 * i);
  });
  return out;
}

/**
 * HMAC-SHA256 (RFC 2104) of each message with the platform's SHA-256: the inner hash over the key
 * block, written into the room before the message, and the message in one call; the outer one (two
 * blocks) by the kernel. A batch's inner hashes are all asked for at once.
 */
async function digestBatch(list: KeyedMessage[], digest: PlatformDigest, kernel: Kernel): Promise<Uint8Array> {
  const inner = list.map(({ key, message }) => {
    if (key.length > MESSAGE_ROOM) throw new Error('a key longer than a block'); // (epoch keys are 32 bytes)
    const block = new Uint8Array(message.buffer, message.byteOffset - MESSAGE_ROOM, MESSAGE_ROOM + message.length);
    keyBlock(block, key, 0x36);
    return digest(block);
  });
  inner.forEach((p) => p.catch(() => {})); // one failing fails the batch; the others are not waited for
  const out = new Uint8Array(32 * list.length);
  const outer = new Uint8Array(MESSAGE_ROOM + 32);
  for (let i = 0; i < list.length; i++) {
    const d = new Uint8Array(await inner[i]!);
    if (d.length !== 32) throw new Error('the platform SHA-256 did not answer 32 bytes');
    keyBlock(outer, list[i]!.key, 0x5c);
    outer.set(d, MESSAGE_ROOM);
    out.set(kernel.sha256(outer), 32 * i);
  }
  return out;
}

/** HMAC's padded key block (key ⊕ pad, the rest pad) into into[0, MESSAGE_ROOM); the key fits a block. */
function keyBlock(into: Uint8Array, key: Uint8Array, pad: number): void {
  into.fill(pad, 0, MESSAGE_ROOM);
  for (let j = 0; j < key.length; j++) into[j] = key[j]! ^ pad;
}

/** Every payload of a batch decompresses and hashes to its hash (the helper's check, and the verifying thread's when the helper sent a batch back unchecked). */
export async function checkPayloadBatch(req: PayloadBatch, kernel: Kernel): Promise<boolean> {
  const { flags, hashes, ends, bytes, fileId } = req;
  const n = ends instanceof Uint32Array ? ends.length : -1;
  if (!(flags instanceof Uint8Array && hashes instanceof BigUint64Array && bytes instanceof ArrayBuffer && fileId instanceof Uint8Array) || flags.length !== n || hashes.length !== n || fileId.length !== 16) {
    throw new TypeError('malformed batch');
  }
  for (let i = 1; i < n; i++) if (ends[i]! < ends[i - 1]!) throw new RangeError('malformed batch');
  if (n > 0 && ends[n - 1]! > bytes.byteLength) throw new RangeError('malformed batch');
  const keyed = req.keyed === true;
  const all = new Uint8Array(bytes);
  // journald's zstd frames confirmed by the kernel's decoder; the rest decided by systemd's decoders,
  // loaded with the first payload that needs them (payload-check.ts)
  for (let i = 0; i < n; ) {
    i = kernel.zstdConfirm({ bytes: all, ends, flags, hashes }, keyed, fileId, i);
    if (i === n) break;
    const { payloadMatches } = await import('./payload-check.js');
    const from = i === 0 ? 0 : ends[i - 1]!;
    if (!(await payloadMatches(kernel, flags[i]!, all.subarray(from, ends[i]!), hashes[i]!, keyed, fileId))) return false;
    i++;
  }
  return true;
}

/**
 * How much work the helper has queued (bytes of the batches sent and not answered yet), shared by
 * the tag batches and the payload batches: it takes them in the order sent, so work is sent only
 * while the queue is shorter than `limit`, and the verifying thread does the rest itself. Deep while
 * the scan has far to go (the helper starts late and must not run dry), shallow near the end (what
 * is queued then is what the verifying thread waits for).
 */
export class HelperLoad {
  bytes = 0;
  limit = 16 << 20;

  /** `n` more bytes may be sent (always, when nothing is queued). */
  room(n: number): boolean {
    return this.bytes === 0 || this.bytes + n <= this.limit;
  }

  /** The queue's limit for a scan with `left` bytes of the file still ahead of it. */
  ahead(left: number): void {
    this.limit = Math.max(2 << 20, Math.min(16 << 20, 2 * left));
  }
}

/**
 * The verifying thread's batch buffers for one kind of helper request: at most `count` of `size`
 * bytes exist, each either free here, being filled, or with the helper (transferred, so it comes
 * back with the reply, or is counted lost when the reply brings none). With a `store` of the same
 * size, they come from it and go back to it when the verification is done (`retire`): their pages
 * stay in memory from one verification to the next (buffer-store.ts).
 */
export class BatchBuffers {
  private readonly spare: ArrayBuffer[] = [];
  private made = 0;

  constructor(
    readonly size: number,
    private readonly count: number,
    private readonly store?: BufferStore,
  ) {}

  /** A free buffer could be had now. */
  get available(): boolean {
    return this.spare.length > 0 || this.made < this.count;
  }

  /**
   * A free buffer of `size` bytes; one of its own (not pooled) when `bound` is larger; null when all
   * are with the helper, unless `beyond` allows one more.
   */
  take(bound = 0, beyond = false): Uint8Array | null {
    if (bound > this.size) return new Uint8Array(bound);
    const s = this.spare.pop();
    if (s) return new Uint8Array(s);
    if (this.made >= this.count && !beyond) return null;
    this.made++;
    const kept = this.store?.size === this.size ? this.store.take() : undefined;
    return new Uint8Array(kept ?? new ArrayBuffer(this.size));
  }

  /** The verification is done: the free buffers go to the store (those still with the helper, if any, are left to the collector). */
  retire(): void {
    for (const b of this.spare.splice(0)) {
      this.made--;
      this.store?.put(b);
    }
  }

  /** Whether `buf` (before it is sent) is one of the pool's. */
  owns(buf: Uint8Array): boolean {
    return buf.buffer.byteLength === this.size;
  }

  /** A pooled buffer back: unsent, or the bytes a reply returned (null: lost). */
  give(back: ArrayBuffer | null): void {
    if (back && back.byteLength === this.size) this.spare.push(back);
    else this.made--;
  }
}
