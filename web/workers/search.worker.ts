/**
 * The search worker: the core's search session (src/search/session.ts) behind Comlink. One worker holds
 * the index of every dropped file; the page asks it for counts, pages of rows, facets, a histogram, one
 * entry's detail and exports, so nothing of the index crosses to the UI thread.
 *
 * Page side: `Comlink.wrap<SearchWorkerApi>(new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module' }))`.
 */
import * as Comlink from 'comlink';
import { createSearchApi } from '../../src/search/session.js';

const session = createSearchApi();

const api = {
  addFile: session.addFile,
  setReport: session.setReport,
  files: session.files,
  query: session.query,
  page: session.page,
  find: session.find,
  facets: session.facets,
  histogram: session.histogram,
  span: session.span,
  entry: session.entry,
  stats: session.stats,
  /** The export bytes are transferred, not copied. */
  async export(format: 'export' | 'json', version: 252 | 254 = 254): Promise<Uint8Array> {
    const bytes = await session.export(format, version);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
};

export type SearchWorkerApi = typeof api;

Comlink.expose(api);
