/** Keys the user chose to remember, per machine ID; each can be forgotten. */
import type { RememberedKey } from './keystore.js';

/** "abc34a-9aee97-43fc5d-0e822a/ab3948f-989680" → "abc34a-…/ab3948f-989680": enough to recognise it. */
export function maskKey(key: string): string {
  const slash = key.indexOf('/');
  if (key.startsWith('fss://') || slash < 0) return `${key.slice(0, 12)}…`;
  return `${key.slice(0, 6)}…${key.slice(slash)}`;
}

export function KeyMemory(props: { keys: RememberedKey[]; onForget(machineId: string): void }) {
  return (
    <section class="key-memory" aria-labelledby="key-memory-title">
      <h2 id="key-memory-title">Remembered keys</h2>
      {props.keys.length === 0 ? (
        <p class="hint">
          None. After verifying a file with a key you can choose to remember that key for the file’s machine; it is then
          applied automatically to that machine’s files. Nothing is stored unless you ask.
        </p>
      ) : (
        <>
          <p class="hint">Stored in this browser only (IndexedDB), because you asked. Applied when the key field is empty.</p>
          <ul>
            {props.keys.map((k) => (
              <li key={k.machineId}>
                <span>
                  Machine <code title={k.machineId}>{k.machineId}</code>
                  {k.hostname ? ` (${k.hostname})` : ''} — key <code>{maskKey(k.key)}</code>
                </span>
                <button type="button" class="button small" onClick={() => props.onForget(k.machineId)}>
                  Forget key for {k.hostname ?? k.machineId.slice(0, 8)}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
