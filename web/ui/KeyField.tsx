/** The verification key, as journalctl --setup-keys prints it or as an fss:// URL. */
import { useMemo } from 'preact/hooks';
import { parseVerificationKey } from '../../src/verify/key.js';
import { formatDuration, formatTime } from './explain.js';

export interface ParsedKey {
  ok: boolean;
  message: string;
  machineId?: string;
  hostname?: string;
}

export function describeKey(text: string): ParsedKey | undefined {
  const t = text.trim();
  if (!t) return undefined;
  try {
    const k = parseVerificationKey(t);
    const parts = [`sealing every ${formatDuration(Number(k.intervalUsec))}`, `since ${formatTime(Number(k.startUsec))}`];
    if (k.hostname) parts.push(`host ${k.hostname}`);
    return { ok: true, message: `Key format OK — ${parts.join(', ')}.`, machineId: k.machineId, hostname: k.hostname };
  } catch (e) {
    return { ok: false, message: `Not a verification key: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function KeyField(props: { value: string; onInput(v: string): void }) {
  const parsed = useMemo(() => describeKey(props.value), [props.value]);
  return (
    <div class="key-field">
      <label for="key">Verification key</label>
      <input
        id="key"
        name="key"
        type="text"
        autocomplete="off"
        autocapitalize="off"
        spellcheck={false}
        placeholder="abc34a-9aee97-43fc5d-0e822a/ab3948f-989680  or  fss://…"
        aria-describedby="key-hint"
        aria-invalid={parsed && !parsed.ok ? 'true' : undefined}
        value={props.value}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
      <p id="key-hint" class={`hint ${parsed ? (parsed.ok ? 'ok' : 'bad') : ''}`} aria-live="polite">
        {parsed
          ? parsed.message
          : 'Needed to check seals. It is printed once by journalctl --setup-keys on the machine that wrote the journal. It stays on this page.'}
      </p>
    </div>
  );
}
