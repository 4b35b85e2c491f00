/** One entry: seal status first, then cursor, times (local and UTC), and every field (binary as hex + text). */
import type { EntryDetail as Detail } from '../../../src/search/session.js';
import { formatTime } from './format.js';

/** What each seal status means for the reader of this entry. */
const WHY: Record<number, string> = {
  0: 'A seal that verified with the key covers this entry: it has not been changed, removed or added since.',
  1: 'Written after the last seal of its file: nothing protects it — it could have been changed.',
  2: 'The seal over this stretch of the file did not verify: the entry may have been altered (or the key is not this file’s).',
  3: 'A seal covers this entry but was not checked (no key, or verification stopped before it).',
  4: 'Its file is not sealed: nothing protects it.',
  5: 'Its file has not been verified yet.',
};

interface Props {
  entry: Detail;
  onClose(): void;
  onFilter(field: string, value: string, mode: 'include' | 'exclude'): void;
}

export function EntryDetail({ entry, onClose, onFilter }: Props) {
  return (
    <aside class="detail" aria-label="Entry detail">
      <header>
        <h2>Entry</h2>
        <button type="button" onClick={onClose} aria-label="Close" title="Close (Esc)">×</button>
      </header>
      <p class={`detail-seal seal-${entry.seal.status}`} role="status">{entry.seal.text}</p>
      <p class="detail-why">{WHY[entry.seal.status]}</p>
      <dl class="detail-meta">
        <dt>local</dt><dd>{formatTime(entry.realtime)}</dd>
        <dt>UTC</dt><dd>{formatTime(entry.realtime, true)}</dd>
        <dt>monotonic</dt><dd>{(entry.monotonic / 1e6).toFixed(6)} s</dd>
        <dt>file</dt><dd>{entry.file} @ {entry.offset}</dd>
        <dt>seqnum</dt><dd>{entry.seqnum}</dd>
        <dt>cursor</dt><dd class="mono wrap">{entry.cursor}</dd>
      </dl>
      <table class="detail-fields">
        <tbody>
          <tr><th>_BOOT_ID</th><td class="mono">{entry.bootId}</td><td /></tr>
          {entry.fields.filter((f) => f.name !== '_BOOT_ID').map((f, i) => (
            <tr key={i}>
              <th>{f.name}</th>
              <td>
                {f.text !== undefined ? (
                  <pre class="val">{f.text}</pre>
                ) : (
                  <div class="binary" title={`${f.length} bytes`}>
                    <pre class="hex">{f.hex}</pre>
                    <pre class="printable">{f.printable}</pre>
                  </div>
                )}
              </td>
              <td class="acts">
                {f.text !== undefined && (
                  <>
                    <button type="button" title="Show only entries with this value" aria-label={`Show only ${f.name}=${f.text}`} onClick={() => onFilter(f.name, f.text!, 'include')}>+</button>
                    <button type="button" title="Hide entries with this value" aria-label={`Hide ${f.name}=${f.text}`} onClick={() => onFilter(f.name, f.text!, 'exclude')}>−</button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
