/**
 * Keeps the search worker's index in step with the cards: each verified file is added once (with its
 * report), a changed report (verified again, e.g. with a key) replaces the old one, and removing a card
 * rebuilds the index from the cards that remain (the index has no "remove"; rebuilding is cheap next to
 * verifying). Operations run one at a time, in order, so file indexes match the order of adding.
 * The worker is started once, when the first file is ready to browse, and then kept (a rebuild resets
 * its session rather than loading a new worker).
 */
import * as Comlink from 'comlink';
import type { SearchWorkerApi } from '../workers/search.worker.js';
import type { VerifyResult } from '../workers/api.js';
import type { CardModel } from './FileCard.js';

export type SearchRemote = Comlink.Remote<SearchWorkerApi>;

export interface SearchView {
  api: SearchRemote;
  /** Bumped after every change to the index. */
  revision: number;
  /** Files in the index. */
  files: number;
  /** Files added but still being indexed. */
  pending: number;
}

interface Indexed {
  fileIndex: Promise<number>;
  result: VerifyResult;
}

/** Files a browse makes sense for: verified, and readable as a journal. */
export function browsable(c: CardModel): c is CardModel & { result: VerifyResult } {
  return c.status !== 'error' && !!c.result && c.result.report.verdict !== 'OPEN_FAILED';
}

export class SearchMirror {
  private worker?: Worker;
  private api?: SearchRemote;
  private chain: Promise<unknown> = Promise.resolve();
  /** Bumped by each reset: answers for an older epoch are ignored. */
  private epoch = 0;
  private readonly indexed = new Map<number, Indexed>();
  private revision = 0;
  /** addFile calls answered by the current worker. */
  private added = 0;

  constructor(private readonly onChange: (view: SearchView | undefined) => void) {}

  /** Call with the current cards whenever they change. */
  sync(cards: readonly CardModel[]): void {
    const present = new Set(cards.map((c) => c.id));
    if ([...this.indexed.keys()].some((id) => !present.has(id))) this.reset();
    for (const c of cards) {
      if (!browsable(c)) continue;
      const had = this.indexed.get(c.id);
      if (!had) {
        const { source, name } = c;
        const report = c.result.report;
        let resolve!: (n: number) => void;
        const fileIndex = new Promise<number>((r) => (resolve = r));
        this.indexed.set(c.id, { fileIndex, result: c.result });
        const epoch = this.epoch;
        this.enqueue(async (api) => {
          resolve((await api.addFile(source, name, report)).fileIndex);
          if (epoch === this.epoch) this.added++;
        });
      } else if (had.result !== c.result) {
        had.result = c.result;
        const report = c.result.report;
        this.enqueue(async (api) => api.setReport(await had.fileIndex, report));
      }
    }
  }

  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.api = undefined;
  }

  private reset(): void {
    this.epoch++;
    this.indexed.clear();
    this.added = 0;
    this.onChange(undefined);
    // The worker runs calls in the order sent: a reset sent now comes after everything queued before.
    if (this.api) this.chain = this.api.reset();
  }

  private ensure(): SearchRemote {
    if (!this.api) {
      this.worker = new Worker(new URL('../workers/search.worker.ts', import.meta.url), { type: 'module', name: 'search' });
      this.api = Comlink.wrap<SearchWorkerApi>(this.worker);
    }
    return this.api;
  }

  private enqueue(op: (api: SearchRemote) => Promise<unknown>): void {
    const api = this.ensure();
    const epoch = this.epoch;
    this.chain = this.chain
      .then(() => (epoch === this.epoch ? op(api) : undefined))
      .then(
        () => {
          if (epoch === this.epoch) this.publish(api);
        },
        (e: unknown) => console.warn('search index:', e),
      );
  }

  private publish(api: SearchRemote): void {
    this.onChange({ api, revision: ++this.revision, files: this.added, pending: this.indexed.size - this.added });
  }
}
