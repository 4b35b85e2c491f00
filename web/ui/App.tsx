/**
 * The page: key field, drop zone, one card per file, remembered keys. Verification happens in the
 * worker pool; this file only keeps the list of cards and decides which key each file gets.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { registerServiceWorker } from '../sw/register.js';
import { VerifyPool } from '../workers/pool.js';
import { Browse } from './browse/Browse.js';
import { DropZone } from './DropZone.js';
import { summarize } from './explain.js';
import { FileCard, type CardActions, type CardModel } from './FileCard.js';
import type { Picked } from './files.js';
import { describeKey, KeyField } from './KeyField.js';
import { KeyMemory } from './KeyMemory.js';
import { SearchMirror, type SearchView } from './searchMirror.js';
import { forgetAllIfEmpty, forgetKey, keyForMachine, listKeys, rememberKey, type RememberedKey } from './keystore.js';

const SAMPLE_JOURNAL = './sample/sample.journal';
const SAMPLE_KEY = './sample/sample.key';

let nextId = 1;

export function App() {
  const pool = useMemo(() => new VerifyPool(), []);
  const [key, setKey] = useState('');
  const [cards, setCards] = useState<CardModel[]>([]);
  const [remembered, setRemembered] = useState<RememberedKey[]>([]);
  const [update, setUpdate] = useState<(() => void) | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  /** Read out by screen readers as each file finishes. */
  const [announce, setAnnounce] = useState('');
  /** The search worker's index of the verified files, for the browse view below the cards. */
  const [searchView, setSearchView] = useState<SearchView | undefined>();
  const mirror = useMemo(() => new SearchMirror(setSearchView), []);
  useEffect(() => mirror.sync(cards), [cards]);
  const keyRef = useRef(key);
  keyRef.current = key;
  // a key typed before the files: its FSPRG is derived while the page waits (VerifyPool.primeKey)
  useEffect(() => {
    if (describeKey(key)?.ok) pool.primeKey(key.trim());
  }, [key]);

  const patch = useCallback((id: number, change: Partial<CardModel>) => {
    setCards((cs) => cs.map((c) => (c.id === id ? { ...c, ...change } : c)));
  }, []);

  const start = useCallback(
    (card: CardModel) => {
      const typed = keyRef.current.trim();
      const typedInfo = describeKey(typed);
      const key = card.sample ? card.sample.key : typed || undefined;
      patch(card.id, { status: 'queued', result: undefined, error: undefined, done: 0, total: card.size });
      let settled = false;
      // Messages still in flight after a cancel, or after the result (the worker does not wait for
      // the page to take its progress), must not bring the card back to life.
      const live = () => !card.controller.signal.aborted && !settled;
      pool
        .verify(card.controller.signal, card.source, { name: card.name, key }, {
          keyFor: async ({ machineId }) => {
            const r = await keyForMachine(machineId);
            patch(card.id, { machineId, hostname: r?.hostname });
            return r?.key;
          },
          onProgress: (done, total) => {
            if (live()) patch(card.id, { status: 'running', done, total });
          },
        }, () => {
          // a worker has it: the card stops saying it waits for one
          if (live()) patch(card.id, { status: 'running' });
        })
        .finally(() => (settled = true))
        .then(
          (result) => {
            setAnnounce(`${card.name}: ${summarize(result.report).badge}`);
            patch(card.id, {
              status: 'done',
              result,
              machineId: result.report.machineId ?? card.machineId,
              ...(result.keySource === 'given' && typedInfo?.hostname ? { hostname: typedInfo.hostname } : {}),
            });
          },
          (e: unknown) =>
            e instanceof DOMException && e.name === 'AbortError'
              ? patch(card.id, { status: 'cancelled' })
              : patch(card.id, { status: 'error', error: e instanceof Error ? e.message : String(e) }),
        );
    },
    [pool, patch],
  );

  const add = useCallback(
    (items: { file: Blob; name: string; path: string; sample?: CardModel['sample'] }[]) => {
      const fresh: CardModel[] = items.map((it) => ({
        id: nextId++,
        name: it.name,
        path: it.path,
        size: it.file.size,
        source: it.file,
        sample: it.sample,
        status: 'queued',
        done: 0,
        total: it.file.size,
        controller: new AbortController(),
      }));
      // The sample shown on arrival makes way for the user's own files.
      setCards((cs) => [...fresh, ...cs.filter((c) => !(c.sample?.auto && !items.some((i) => i.sample)))]);
      for (const c of fresh) start(c);
    },
    [start],
  );

  const loadSample = useCallback(
    async (auto: boolean) => {
      try {
        const [journal, keyText] = await Promise.all([
          fetch(SAMPLE_JOURNAL).then((r) => (r.ok ? r.blob() : Promise.reject(new Error(`HTTP ${r.status}`)))),
          fetch(SAMPLE_KEY).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`)))),
        ]);
        add([{ file: journal, name: 'sample.journal', path: 'sample/sample.journal', sample: { key: keyText.trim(), auto } }]);
      } catch (e) {
        setNotice(`The bundled sample could not be loaded (${e instanceof Error ? e.message : String(e)}).`);
      }
    },
    [add],
  );

  const refreshKeys = useCallback(() => listKeys().then(setRemembered, () => setRemembered([])), []);

  useEffect(() => {
    void refreshKeys();
    void loadSample(true);
    registerServiceWorker((activate) => setUpdate(() => activate));
    return () => {
      pool.terminate();
      mirror.terminate();
    };
  }, []);

  const actions: CardActions = {
    cancel: (id) => cards.find((c) => c.id === id)?.controller.abort(),
    retry: (id) => {
      const c = cards.find((x) => x.id === id);
      if (!c) return;
      const fresh = { ...c, controller: new AbortController() };
      patch(id, { controller: fresh.controller });
      start(fresh);
    },
    remove: (id) => {
      cards.find((c) => c.id === id)?.controller.abort();
      setCards((cs) => cs.filter((c) => c.id !== id));
    },
    remember: (id) => {
      const c = cards.find((x) => x.id === id);
      const machineId = c?.result?.report.machineId ?? c?.machineId;
      const k = c?.result?.keyUsed;
      if (!c || !machineId || !k) return;
      void rememberKey({ machineId, key: k, hostname: c.hostname ?? describeKey(k)?.hostname, savedAt: Date.now() })
        .then(refreshKeys)
        .then(() => setNotice(`Key remembered for machine ${machineId}. It will be used for this machine’s files when the key field is empty.`));
    },
  };

  const forget = (machineId: string) =>
    void forgetKey(machineId)
      .then(forgetAllIfEmpty)
      .then(refreshKeys)
      .then(() => setNotice(`Key for machine ${machineId} forgotten.`));

  const canRemember = (c: CardModel) => {
    const r = c.result;
    const machineId = r?.report.machineId ?? c.machineId;
    return (
      !c.sample &&
      !!r &&
      r.keySource === 'given' &&
      !!r.keyUsed &&
      !!machineId &&
      r.report.sealed &&
      // Only a key proven right: the file passed, or at least one of its seals matched.
      (r.report.verdict === 'PASS' || r.report.segments.some((g) => g.ok === true)) &&
      !remembered.some((k) => k.machineId === machineId && k.key === r.keyUsed)
    );
  };

  const busy = cards.some((c) => c.status === 'queued' || c.status === 'running');

  return (
    <>
      {update && (
        <div class="update" role="status">
          <span>A new version of Sealcheck is available.</span>
          <button type="button" class="button small primary" onClick={update}>
            Reload
          </button>
          <button type="button" class="button small quiet" onClick={() => setUpdate(undefined)}>
            Later
          </button>
        </div>
      )}
      <header class="top">
        <h1>
          <img src="./icons/icon.svg" alt="" width="32" height="32" /> Sealcheck
        </h1>
        <p class="tagline">
          Verify systemd journal files sealed with Forward Secure Sealing — the verdict of <code>journalctl --verify</code>,
          computed in this browser. Nothing leaves your machine; it works offline.
        </p>
      </header>
      <main>
        <section class="inputs" aria-label="Files and key">
          <KeyField value={key} onInput={setKey} />
          <DropZone onFiles={(picked: Picked[]) => add(picked.map((p) => ({ file: p.file, name: p.file.name, path: p.path })))} />
          <div class="toolbar">
            <button type="button" class="button" onClick={() => void loadSample(false)}>
              Try the sample
            </button>
            {cards.some((c) => !c.sample) && (
              <button type="button" class="button" disabled={busy} onClick={() => cards.filter((c) => !c.sample).forEach((c) => actions.retry(c.id))}>
                Verify all again
              </button>
            )}
            {cards.length > 0 && (
              <button type="button" class="button quiet" onClick={() => { cards.forEach((c) => c.controller.abort()); setCards([]); }}>
                Clear all
              </button>
            )}
          </div>
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
        </section>
        <section class="results" aria-label="Results">
          {(() => {
            // Offer "remember" once per machine, on its newest card.
            const offered = new Set<string>();
            return cards.map((c) => {
              const m = c.result?.report.machineId ?? c.machineId ?? '';
              const offer = canRemember(c) && !offered.has(m);
              if (offer) offered.add(m);
              return <FileCard key={c.id} card={c} actions={actions} canRemember={offer} typedKey={!!key.trim()} />;
            });
          })()}
        </section>
        {searchView && (
          <section class="browse-section" aria-labelledby="browse-title">
            <header class="browse-head">
              <h2 id="browse-title">Browse the entries</h2>
              <p class="hint">
                {searchView.files === 1 ? 'One file' : `${searchView.files} files`}, merged in journalctl’s order
                {searchView.pending ? ` (indexing ${searchView.pending} more…)` : ''}. Each entry shows which seal covers it:{' '}
                <span class="seal-key seal-0">✓ sealed</span>, <span class="seal-key seal-1">○ unsealed tail</span>,{' '}
                <span class="seal-key seal-2">✗ seal failed</span>.
              </p>
            </header>
            <Browse search={searchView.api} revision={searchView.revision} />
          </section>
        )}
        <KeyMemory keys={remembered} onForget={forget} />
      </main>
      <p class="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      <footer>
        <p class="hint">
          Sealcheck reproduces <code>journalctl --verify</code> (systemd 254). Keys are made with{' '}
          <code>journalctl --setup-keys</code>. No data is sent anywhere: this page has no server side.
        </p>
      </footer>
    </>
  );
}
