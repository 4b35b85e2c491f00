/**
 * The search worker: the core's search session (src/search/session.ts) behind Comlink. One worker holds
 * the index of every dropped file; the page asks it for counts, pages of rows, facets, a histogram, one
 * entry's detail and exports, so nothing of the index crosses to the UI thread.
 *
 * Page side: `Comlink.wrap<SearchWorkerApi>(new Worker(new URL('./search.worker.ts', import.meta.url), { type: 'module' }))`.
 */
import * as Comlink from 'comlink';
import { createSearchApi } from '../../src/search/session.js';

type Session = ReturnType<typeof createSearchApi>;
let session: Session = createSearchApi();

// Each call goes to the session current when it arrives; a call still running when reset() comes
// finishes on the old one, which is then dropped.
const api = {
  addFile: (...a: Parameters<Session['addFile']>) => session.addFile(...a),
  setReport: (...a: Parameters<Session['setReport']>) => session.setReport(...a),
  files: () => session.files(),
  query: (...a: Parameters<Session['query']>) => session.query(...a),
  page: (...a: Parameters<Session['page']>) => session.page(...a),
  find: (...a: Parameters<Session['find']>) => session.find(...a),
  facets: (...a: Parameters<Session['facets']>) => session.facets(...a),
  histogram: (...a: Parameters<Session['histogram']>) => session.histogram(...a),
  span: () => session.span(),
  entry: (...a: Parameters<Session['entry']>) => session.entry(...a),
  stats: () => session.stats(),
  /** Forget every file (the page removed some): a fresh, empty index in the same worker. */
  reset(): void {
    session = createSearchApi();
  },
  /** The export bytes are transferred, not copied. */
  async export(format: 'export' | 'json', version: 252 | 254 = 254): Promise<Uint8Array> {
    const bytes = await session.export(format, version);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },
};

export type SearchWorkerApi = typeof api;

Comlink.expose(api);
