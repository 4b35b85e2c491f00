/**
 * Browse and search what was verified. Everything heavy runs in the search worker; this only keeps the
 * browse state (mirrored in the URL fragment), asks the worker for a count, then pages, facets and the
 * histogram, and renders them.
 *
 * Mount: <Browse search={Comlink.wrap<SearchWorkerApi>(worker)} revision={n} />, where the App has called
 * `search.addFile(file, name, report)` for each verified file (and `setReport(i, report)` when a report
 * changes) and bumps `revision` after each, so the view re-queries.
 */
import type { Remote } from 'comlink';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Histogram as Hist } from '../../../src/search/histogram.js';
import type { EntryDetail as Detail, FacetsResult, QueryResult, Row } from '../../../src/search/session.js';
import { parseSearchText, tokenize } from '../../../src/search/query.js';
import { fragmentToState, stateToFragment, type BrowseState } from '../../../src/search/url-state.js';
import type { SearchWorkerApi } from '../../workers/search.worker.js';
import './browse.css';
import { EntryDetail } from './EntryDetail.js';
import { ExportButtons } from './ExportButtons.js';
import { Facets } from './Facets.js';
import { Histogram } from './Histogram.js';
import { SearchBar } from './SearchBar.js';
import { Timeline } from './Timeline.js';

export interface BrowseProps {
  search: Remote<SearchWorkerApi>;
  /** Bump after adding files or reports to the worker. */
  revision: number;
  /** Keep the state in location.hash (default true). */
  syncUrl?: boolean;
}

export function Browse({ search, revision, syncUrl = true }: BrowseProps) {
  const [state, setState] = useState<BrowseState>(() => (syncUrl ? fragmentToState(location.hash) : { newestFirst: true }));
  const [result, setResult] = useState<QueryResult>();
  const [facets, setFacets] = useState<FacetsResult>();
  const [extraFields, setExtraFields] = useState<string[]>([]);
  const [hist, setHist] = useState<Hist>();
  /** What the histogram's bars are stacked by. */
  const [stack, setStack] = useState<'priority' | 'seal'>('priority');
  const [detail, setDetail] = useState<Detail>();
  const latest = useRef(0);

  const change = useCallback((c: Partial<BrowseState>) => setState((s) => ({ ...s, ...c })), []);

  useEffect(() => {
    if (!syncUrl) return;
    const frag = stateToFragment(state);
    if (frag !== location.hash && !(frag === '' && location.hash === '')) history.replaceState(null, '', frag || location.pathname + location.search);
  }, [state, syncUrl]);

  useEffect(() => {
    if (!syncUrl) return;
    const onHash = () => setState(fragmentToState(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [syncUrl]);

  // The query; then facets and the histogram answer for the same generation (the worker keeps the last
  // query's result; an answer that arrives after a newer query was sent is dropped).
  useEffect(() => {
    let live = true;
    const ticket = ++latest.current;
    const { entry: _entry, ...query } = state;
    void search.query(query).then((r) => {
      if (live && ticket === latest.current) setResult(r);
    });
    return () => {
      live = false;
    };
  }, [search, revision, state.text, state.regex, state.allFields, state.include, state.exclude, state.from, state.to, state.seal, state.newestFirst]);

  useEffect(() => {
    if (!result) return;
    const ticket = latest.current;
    void search.histogram({ maxBuckets: 150, stack }).then((h) => {
      if (ticket === latest.current) setHist(h);
    });
  }, [result, stack]);

  useEffect(() => {
    if (!result) return;
    const ticket = latest.current;
    void (async () => {
      const f = await search.facets(undefined, 30);
      const more = extraFields.length ? await search.facets(extraFields, 30) : undefined;
      if (ticket !== latest.current) return;
      setFacets(more ? { fields: f.fields, facets: [...f.facets, ...more.facets.filter((x) => !f.facets.some((y) => y.field === x.field))] } : f);
    })();
  }, [result, extraFields]);

  // Reopen the entry named in the URL.
  useEffect(() => {
    if (!state.entry || (detail && detail.cursor === state.entry) || !result) return;
    search.find(state.entry).then(async (pos) => {
      if (pos < 0) return;
      const [row] = await search.page(pos, 1);
      if (row) setDetail(await search.entry(row.id));
    });
  }, [state.entry, result?.generation]);

  // FIELD=value terms typed in the search box count as selected facet values; clicking one removes the term.
  const typed = parseSearchText(state.text).matches;
  const selected: Record<string, string[]> = { ...(state.include ?? {}) };
  for (const [f, v] of typed) selected[f] = [...(selected[f] ?? []), v];

  const toggle = (field: string, value: string, mode: 'include' | 'exclude') =>
    setState((s) => {
      if (mode === 'include' && parseSearchText(s.text).matches.some(([f, v]) => f === field && v === value)) {
        const src = s.text ?? '';
        let text = src;
        for (const t of tokenize(src).reverse()) {
          if (t.text !== `${field}=${value}`) continue;
          const [before, after] = [text.slice(0, t.start).trimEnd(), text.slice(t.end).trimStart()];
          text = before && after ? `${before} ${after}` : before + after;
        }
        return { ...s, text: text || undefined };
      }
      const inc = { ...(s.include ?? {}) };
      const exc = { ...(s.exclude ?? {}) };
      const target = mode === 'include' ? inc : exc;
      const other = mode === 'include' ? exc : inc;
      const has = (target[field] ?? []).includes(value);
      target[field] = has ? target[field].filter((v) => v !== value) : [...(target[field] ?? []), value];
      if (!target[field].length) delete target[field];
      if (other[field]) {
        other[field] = other[field].filter((v) => v !== value);
        if (!other[field].length) delete other[field];
      }
      return { ...s, include: Object.keys(inc).length ? inc : undefined, exclude: Object.keys(exc).length ? exc : undefined };
    });

  const open = async (row: Row) => {
    const d = await search.entry(row.id);
    setDetail(d);
    change({ entry: d.cursor });
  };

  const fetchPage = useCallback((start: number, count: number) => search.page(start, count), [search, result?.generation]);

  const close = () => {
    setDetail(undefined);
    change({ entry: undefined });
  };

  return (
    <div
      class="browse"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !detail) return;
        e.preventDefault();
        close();
      }}
    >
      <SearchBar state={state} total={result?.total} entries={result?.entries ?? 0} error={result?.error} onChange={change} />
      <Histogram data={hist} stack={stack} onStack={setStack} onSelect={(from, to) => change({ from, to })} />
      <div class="browse-main">
        {facets && (
          <Facets
            facets={facets.facets}
            fields={facets.fields}
            include={selected}
            exclude={state.exclude ?? {}}
            onToggle={toggle}
            onAddField={(f) => f && setExtraFields((x) => (x.includes(f) ? x : [...x, f]))}
          />
        )}
        <div class="browse-list">
          <div class="browse-tools">
            <ExportButtons disabled={!result?.total} run={(format) => search.export(format)} />
          </div>
          {result && <Timeline total={result.total} generation={result.generation} fetchPage={fetchPage} selected={detail?.id} onOpen={open} />}
        </div>
        {detail && (
          <EntryDetail
            entry={detail}
            onClose={close}
            onFilter={toggle}
          />
        )}
      </div>
    </div>
  );
}
