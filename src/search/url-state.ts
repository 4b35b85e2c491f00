/**
 * The browse state ↔ the URL fragment, so a view can be bookmarked or shared (within the same files).
 * `#q=text&re=1&all=1&f=FIELD%3Dvalue&x=FIELD%3Dvalue&from=µs&to=µs&seal=0,2&dir=asc&e=<cursor>`
 */
import type { Query } from './query.js';
import type { SealStatusId } from './seal-status.js';

export interface BrowseState extends Query {
  /** Newest first (default, like the page shows logs) or oldest first (journalctl's default). */
  newestFirst: boolean;
  /** Cursor of the entry open in the detail panel. */
  entry?: string;
}

export const EMPTY_STATE: BrowseState = { newestFirst: true };

function pairs(rec: Record<string, string[]> | undefined, key: string, out: string[]): void {
  for (const [field, values] of Object.entries(rec ?? {}))
    for (const v of values) out.push(`${key}=${encodeURIComponent(`${field}=${v}`)}`);
}

export function stateToFragment(s: BrowseState): string {
  const out: string[] = [];
  if (s.text) out.push(`q=${encodeURIComponent(s.text)}`);
  if (s.regex) out.push('re=1');
  if (s.allFields) out.push('all=1');
  if (s.caseSensitive !== undefined) out.push(`case=${s.caseSensitive ? 1 : 0}`);
  pairs(s.include, 'f', out);
  pairs(s.exclude, 'x', out);
  if (s.from !== undefined) out.push(`from=${s.from}`);
  if (s.to !== undefined) out.push(`to=${s.to}`);
  if (s.seal?.length) out.push(`seal=${s.seal.join(',')}`);
  if (!s.newestFirst) out.push('dir=asc');
  if (s.entry) out.push(`e=${encodeURIComponent(s.entry)}`);
  return out.length ? '#' + out.join('&') : '';
}

export function fragmentToState(fragment: string): BrowseState {
  const s: BrowseState = { newestFirst: true };
  const body = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  for (const part of body.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    let val: string;
    try {
      val = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      continue; // a mangled fragment must not break the page
    }
    switch (key) {
      case 'q': s.text = val; break;
      case 're': s.regex = val === '1'; break;
      case 'all': s.allFields = val === '1'; break;
      case 'case': s.caseSensitive = val === '1'; break;
      case 'f':
      case 'x': {
        const i = val.indexOf('=');
        if (i <= 0) break;
        const rec = key === 'f' ? (s.include ??= {}) : (s.exclude ??= {});
        (rec[val.slice(0, i)] ??= []).push(val.slice(i + 1));
        break;
      }
      case 'from':
      case 'to': {
        const n = Number(val);
        if (Number.isFinite(n)) s[key] = n;
        break;
      }
      case 'seal':
        s.seal = val.split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 6) as SealStatusId[];
        break;
      case 'dir': s.newestFirst = val !== 'asc'; break;
      case 'e': s.entry = val; break;
    }
  }
  return s;
}
