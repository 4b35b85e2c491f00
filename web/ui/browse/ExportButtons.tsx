/** Download the filtered entries as journal export format (journalctl -o export) or JSON lines. */
import { useState } from 'preact/hooks';

interface Props {
  disabled: boolean;
  run(format: 'export' | 'json'): Promise<Uint8Array>;
}

export function ExportButtons({ disabled, run }: Props) {
  const [busy, setBusy] = useState<string | undefined>();
  const go = async (format: 'export' | 'json') => {
    setBusy(format);
    try {
      const bytes = await run(format);
      const blob = new Blob([bytes as BlobPart], { type: format === 'json' ? 'application/x-ndjson' : 'application/vnd.fdo.journal' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = format === 'json' ? 'entries.jsonl' : 'entries.export';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <span class="export">
      <button type="button" disabled={disabled || !!busy} onClick={() => go('export')} title="Journal export format, as journalctl -o export writes it">
        {busy === 'export' ? 'exporting…' : 'Export'}
      </button>
      <button type="button" disabled={disabled || !!busy} onClick={() => go('json')} title="One JSON object per line, as journalctl -o json">
        {busy === 'json' ? 'exporting…' : 'JSON lines'}
      </button>
    </span>
  );
}
