/** Display helpers shared by the browse components (priority names, times, seal labels). */
import { SEAL_STATUS_NAMES, type SealStatusId } from '../../../src/search/seal-status.js';

export const PRIORITY_LABELS = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug', 'none'];

/** µs since the epoch → "2026-11-23 05:22:31.123456" in local time or UTC. */
export function formatTime(us: number, utc = false): string {
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const [y, mo, da, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${p(mo)}-${p(da)} ${p(h)}:${p(mi)}:${p(s)}.${p(Math.floor(us % 1e6), 6)}`;
}

export function sealLabel(s: SealStatusId): string {
  return SEAL_STATUS_NAMES[s];
}

/** Short marks for the list column. */
export const SEAL_MARK: Record<number, string> = { 0: '✓', 1: '○', 2: '✗', 3: '?', 4: '–', 5: '·' };
