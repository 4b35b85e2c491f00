/** One entry: seal status first, then cursor, times (local and UTC), and every field (binary as hex + text). */
import type { EntryDetail as Detail } from '../../../src/search/session.js';
import { formatTime } from './format.js';

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
        <button type="button" onClick={onClose} aria-label="Close">×</button>
      </header>
      <p class={`detail-seal seal-${entry.seal.status}`} role="status">{entry.seal.text}</p>
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
                    <button type="button" title="Show only entries with this value" onClick={() => onFilter(f.name, f.text!, 'include')}>＋</button>
                    <button type="button" title="Hide entries with this value" onClick={() => onFilter(f.name, f.text!, 'exclude')}>⊘</button>
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
