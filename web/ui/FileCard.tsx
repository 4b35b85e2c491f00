/** One file: what it is, progress while verifying, then journalctl's verdict and what it means. */
import type { VerifyReport } from '../../src/verify/report.js';
import type { VerifyResult } from '../workers/api.js';
import { formatBytes, formatDuration, formatTime, hex, keyNeeded, segmentRange, summarize } from './explain.js';

export type CardStatus = 'queued' | 'running' | 'done' | 'cancelled' | 'error';

export interface CardModel {
  id: number;
  name: string;
  path: string;
  size: number;
  source: Blob;
  /** The bundled sample, verified with its own key. */
  sample?: { key: string; auto: boolean };
  status: CardStatus;
  done: number;
  total: number;
  /** Known as soon as the worker opened the file (remembered-key lookup), else from the report. */
  machineId?: string;
  hostname?: string;
  result?: VerifyResult;
  error?: string;
  controller: AbortController;
}

export interface CardActions {
  cancel(id: number): void;
  retry(id: number): void;
  remove(id: number): void;
  remember(id: number): void;
}

export function FileCard(props: { card: CardModel; actions: CardActions; canRemember: boolean; typedKey: boolean }) {
  const { card, actions } = props;
  const r = card.result?.report;
  const s = r && summarize(r);
  const titleId = `card-${card.id}-title`;
  const machineId = r?.machineId ?? card.machineId;
  const keyLabel = card.sample
    ? 'the bundled sample key'
    : card.result?.keySource === 'remembered'
      ? `remembered for machine ${machineId?.slice(0, 8) ?? ''}…`
      : card.result?.keySource === 'given'
        ? 'the key entered above'
        : card.result
          ? 'none'
          : undefined;

  return (
    <article
      class={`card ${s ? `tone-${s.tone}` : `status-${card.status}`}`}
      aria-labelledby={titleId}
      data-status={card.status}
      data-verdict={r?.verdict}
    >
      <header class="card-head">
        <h3 id={titleId} title={card.path}>
          {card.name}
        </h3>
        {card.sample && <span class="tag">Bundled sample</span>}
        {s ? (
          <span class={`badge tone-${s.tone}`}>{s.badge}</span>
        ) : (
          <span class="badge">{statusText(card.status)}</span>
        )}
      </header>

      <dl class="facts">
        <div>
          <dt>Size</dt>
          <dd>{formatBytes(card.size)}</dd>
        </div>
        {machineId && (
          <div>
            <dt>Machine ID</dt>
            <dd>
              <code>{machineId}</code>
            </dd>
          </div>
        )}
        {card.hostname && (
          <div>
            <dt>Host</dt>
            <dd>{card.hostname}</dd>
          </div>
        )}
        {keyLabel && (
          <div>
            <dt>Key</dt>
            <dd>{keyLabel}</dd>
          </div>
        )}
      </dl>

      {(card.status === 'running' || card.status === 'queued') && (
        <div class="progress">
          <progress
            max={card.total || card.size || 1}
            value={card.status === 'running' ? card.done : undefined}
            aria-label={`Verifying ${card.name}`}
          />
          <span class="hint">
            {card.status === 'queued'
              ? 'Waiting for a free worker…'
              : `${formatBytes(card.done)} of ${formatBytes(card.total || card.size)} verified`}
          </span>
        </div>
      )}

      {card.status === 'cancelled' && <p class="headline">Cancelled — not verified.</p>}
      {card.status === 'error' && (
        <p class="headline" role="alert">
          Could not verify this file: {card.error}
        </p>
      )}

      {r && s && (
        <div class="verdict">
          <p class="headline">{s.headline}</p>
          {s.explanation.map((p) => (
            <p class="explain">{p}</p>
          ))}

          {r.sealed && r.keyGiven && (r.validatedRealtime > 0 || r.unsealedTailUsec > 0) && (
            <dl class="facts range">
              {r.validatedRealtime > 0 && (
                <div>
                  <dt>Proven sealed</dt>
                  <dd>
                    {formatTime(r.firstRealtime)} → {formatTime(r.validatedRealtime)}
                  </dd>
                </div>
              )}
              <div>
                <dt>Unsealed tail</dt>
                <dd>
                  {r.unsealedTailUsec > 0
                    ? `${formatDuration(r.unsealedTailUsec)} of entries after the last seal (to ${formatTime(r.lastRealtime)})`
                    : 'none'}
                </dd>
              </div>
              <div>
                <dt>Contents</dt>
                <dd>
                  {r.nEntries} entries, {r.nTags} seals
                </dd>
              </div>
            </dl>
          )}

          {r.failure && !keyNeeded(r) && r.verdict === 'FAIL' && (
            <dl class="facts failure">
              <div>
                <dt>What</dt>
                <dd>
                  {r.failure.message} <span class="hint">({r.failure.check})</span>
                </dd>
              </div>
              <div>
                <dt>Where</dt>
                <dd>
                  offset {hex(r.failure.offset)} ({r.failure.offset}){r.failure.objectType ? `, ${r.failure.objectType} object` : ''}
                  {r.size ? `, ${Math.floor((r.failure.position * 100) / r.size)}% into the file` : ''}
                </dd>
              </div>
              {affected(r) && (
                <div>
                  <dt>Affected</dt>
                  <dd>{affected(r)}</dd>
                </div>
              )}
              {r.failedSegments.length > 0 && (
                <div>
                  <dt>Failed seals</dt>
                  <dd>
                    <ul class="segments">
                      {r.failedSegments.map((g) => (
                        <li>
                          seal #{g.tagIndex} at {hex(g.tagOffset)} (bytes {hex(g.start)}–{hex(g.end)}): {segmentRange(g)}
                        </li>
                      ))}
                    </ul>
                  </dd>
                </div>
              )}
            </dl>
          )}

          <figure class="journalctl">
            <figcaption>journalctl --verify says:</figcaption>
            <pre>{r.lines.join('\n')}</pre>
          </figure>
        </div>
      )}

      <div class="actions">
        {(card.status === 'running' || card.status === 'queued') && (
          <button type="button" class="button" onClick={() => actions.cancel(card.id)}>
            Cancel
          </button>
        )}
        {(card.status === 'done' || card.status === 'cancelled' || card.status === 'error') && !card.sample && (
          <button type="button" class={`button${r && keyNeeded(r) && props.typedKey ? ' primary' : ''}`} onClick={() => actions.retry(card.id)}>
            {r && keyNeeded(r) && props.typedKey ? 'Verify with the key' : 'Verify again'}
          </button>
        )}
        {props.canRemember && (
          <button type="button" class="button" onClick={() => actions.remember(card.id)}>
            Remember this key for machine {machineId?.slice(0, 8)}…
          </button>
        )}
        <button type="button" class="button quiet" onClick={() => actions.remove(card.id)} aria-label={`Remove ${card.name}`}>
          Remove
        </button>
      </div>
    </article>
  );
}

/** The entries sealed together with the failing object (the segment whose byte range holds it). */
function affected(r: VerifyReport): string | undefined {
  const at = r.failure?.offset;
  if (at === undefined) return undefined;
  const seg = r.segments.find((g) => g.start <= at && at < g.end);
  if (seg) return `${segmentRange(seg)} (sealed by seal #${seg.tagIndex})`;
  const last = r.segments.at(-1);
  if (last && at >= last.end) return 'entries after the last seal (the unsealed tail)';
  return undefined;
}

function statusText(s: CardStatus): string {
  return { queued: 'QUEUED', running: 'VERIFYING', done: 'DONE', cancelled: 'CANCELLED', error: 'ERROR' }[s];
}
