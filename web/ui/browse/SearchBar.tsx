/** The query line: text (with FIELD=value terms), regex / all-fields switches, order, seal filter, time range. */
import { useEffect, useState } from 'preact/hooks';
import { SealStatus, type SealStatusId } from '../../../src/search/seal-status.js';
import type { BrowseState } from '../../../src/search/url-state.js';
import { formatTime, sealLabel } from './format.js';

interface Props {
  state: BrowseState;
  total: number | undefined;
  entries: number;
  error?: string;
  onChange(change: Partial<BrowseState>): void;
}

const SEAL_CHOICES: SealStatusId[] = [SealStatus.SEALED, SealStatus.TAIL, SealStatus.FAILED, SealStatus.UNCHECKED, SealStatus.NOT_SEALED];

export function SearchBar({ state, total, entries, error, onChange }: Props) {
  const [text, setText] = useState(state.text ?? '');
  useEffect(() => setText(state.text ?? ''), [state.text]);
  // Ask the worker once typing pauses, not on every key.
  useEffect(() => {
    if (text === (state.text ?? '')) return;
    const t = setTimeout(() => onChange({ text: text || undefined }), 250);
    return () => clearTimeout(t);
  }, [text]);
  const seal = new Set(state.seal ?? []);
  const toggleSeal = (s: SealStatusId) => {
    const next = new Set(seal);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    onChange({ seal: next.size ? [...next] : undefined });
  };
  return (
    <div class="sb">
      <div class="sb-row">
        <input
          class="sb-text"
          type="search"
          placeholder="Search MESSAGE…  or FIELD=value (e.g. _SYSTEMD_UNIT=sshd.service)"
          value={text}
          aria-label="Search"
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => e.key === 'Enter' && onChange({ text: text || undefined })}
        />
        <label title="Treat the text as a regular expression (case-sensitive only if it has capitals, as journalctl --grep)">
          <input type="checkbox" checked={!!state.regex} onChange={(e) => onChange({ regex: (e.target as HTMLInputElement).checked || undefined })} /> regex
        </label>
        <label title="Search the values of every field, not only MESSAGE">
          <input type="checkbox" checked={!!state.allFields} onChange={(e) => onChange({ allFields: (e.target as HTMLInputElement).checked || undefined })} /> all fields
        </label>
        <button type="button" class="sb-dir" onClick={() => onChange({ newestFirst: !state.newestFirst })} title="Order">
          {state.newestFirst ? 'newest first ↓' : 'oldest first ↑'}
        </button>
      </div>
      <div class="sb-row sb-small">
        <span class="sb-count" role="status">
          {error ? <span class="sb-error">{error}</span> : total === undefined ? '…' : `${total.toLocaleString()} of ${entries.toLocaleString()} entries`}
        </span>
        <span class="sb-seal">
          seal:
          {SEAL_CHOICES.map((s) => (
            <button type="button" key={s} class={`chip seal-${s}${seal.has(s) ? ' on' : ''}`} aria-pressed={seal.has(s)} onClick={() => toggleSeal(s)}>
              {sealLabel(s)}
            </button>
          ))}
        </span>
        {(state.from !== undefined || state.to !== undefined) && (
          <span class="sb-range">
            {state.from !== undefined ? formatTime(state.from) : '…'} → {state.to !== undefined ? formatTime(state.to) : '…'}
            <button type="button" class="chip" onClick={() => onChange({ from: undefined, to: undefined })} aria-label="Clear time range">×</button>
          </span>
        )}
      </div>
    </div>
  );
}
