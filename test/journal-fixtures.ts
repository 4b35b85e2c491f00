/** Fixture access for the reader/export tests (works from build/test/ and without ../shared). */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** test/fixtures, whether running from test/ (ts) or build/test/ (compiled). */
export const FIXTURES = [join(here, 'fixtures'), join(here, '..', '..', 'test', 'fixtures')].find((p) => existsSync(join(p, 'corpus')))!;
export const CORPUS = join(FIXTURES, 'corpus');
export const TESTDATA = join(FIXTURES, 'testdata');

export function corpusNames(): string[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith('.journal')).sort();
}
export function testdataNames(): string[] {
  return readdirSync(TESTDATA).filter((f) => f.endsWith('.journal.xz')).map((f) => f.slice(0, -3)).sort();
}

export function corpus(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(CORPUS, name)));
}

const xzCache = new Map<string, Promise<Uint8Array>>();
/** A testdata/*.journal.xz fixture, decompressed with xz-decompress (no xz binary needed). */
export function testdata(name: string): Promise<Uint8Array> {
  let p = xzCache.get(name);
  if (!p) {
    p = (async () => {
      type Ctor = new (s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;
      const m = (await import('xz-decompress')) as unknown as { XzReadableStream?: Ctor; default?: { XzReadableStream: Ctor } };
      const XzReadableStream = (m.XzReadableStream ?? m.default?.XzReadableStream)!;
      const raw = readFileSync(join(TESTDATA, name + '.xz'));
      const stream = new XzReadableStream(new Blob([raw]).stream() as ReadableStream<Uint8Array>);
      return new Uint8Array(await new Response(stream).arrayBuffer());
    })();
    xzCache.set(name, p);
  }
  return p;
}
