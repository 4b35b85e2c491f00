/**
 * The merged list of entries, virtualized (@tanstack/virtual-core): only the visible rows exist in the
 * DOM, and rows are fetched from the worker in pages as they scroll into view.
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef } from 'preact/hooks';
import type { Row } from '../../../src/search/session.js';
import { formatTime, PRIORITY_LABELS, SEAL_MARK, sealLabel } from './format.js';

export const ROW_HEIGHT = 22;
const PAGE = 200;

interface Props {
  total: number;
  generation: number;
  fetchPage(start: number, count: number): Promise<Row[]>;
  selected?: number;
  onOpen(row: Row): void;
}

function Highlighted({ text, ranges }: { text: string; ranges: Array<[number, number]> }) {
  if (!ranges.length) return <>{text}</>;
  const out = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) out.push(text.slice(at, s));
    out.push(<mark key={s}>{text.slice(s, e)}</mark>);
    at = e;
  }
  out.push(text.slice(at));
  return <>{out}</>;
}

export function Timeline({ total, generation, fetchPage, selected, onOpen }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const pages = useMemo(() => new Map<number, Row[] | 'loading'>(), [generation]);
  const virtualizer = useMemo(
    () =>
      new Virtualizer<HTMLDivElement, HTMLDivElement>({
        count: total,
        getScrollElement: () => scroller.current,
        estimateSize: () => ROW_HEIGHT,
        overscan: 30,
        observeElementRect,
        observeElementOffset,
        scrollToFn: elementScroll,
        onChange: () => rerender(0),
      }),
    [],
  );
  virtualizer.setOptions({ ...virtualizer.options, count: total });
  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => virtualizer._willUpdate());
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [generation]);

  const items = virtualizer.getVirtualItems();
  // Fetch the pages the visible rows fall in.
  useEffect(() => {
    const need = new Set(items.map((it) => Math.floor(it.index / PAGE)));
    for (const p of need) {
      if (pages.has(p)) continue;
      pages.set(p, 'loading');
      fetchPage(p * PAGE, PAGE).then((rows) => {
        pages.set(p, rows);
        rerender(0);
      });
    }
  });

  return (
    <div class="timeline" ref={scroller} role="grid" aria-rowcount={total} tabIndex={0}>
      <div style={{ height: `${virtualizer.getTotalSize()}px`, position: 'relative' }}>
        {items.map((it) => {
          const page = pages.get(Math.floor(it.index / PAGE));
          const row = page && page !== 'loading' ? page[it.index % PAGE] : undefined;
          const style = { transform: `translateY(${it.start}px)`, height: `${ROW_HEIGHT}px` };
          if (!row) return <div class="row loading" key={it.key} style={style} aria-rowindex={it.index + 1} />;
          const prio = row.priority === 255 ? 8 : row.priority;
          return (
            <div
              key={it.key}
              role="row"
              aria-rowindex={it.index + 1}
              aria-selected={selected === row.id}
              class={`row prio-${prio}${selected === row.id ? ' selected' : ''}`}
              style={style}
              onClick={() => onOpen(row)}
            >
              <span class={`seal seal-${row.seal}`} title={sealLabel(row.seal)}>{SEAL_MARK[row.seal]}</span>
              <span class="ts">{formatTime(row.realtime)}</span>
              <span class="prio" title={PRIORITY_LABELS[prio]}>{PRIORITY_LABELS[prio]}</span>
              <span class="host">{row.hostname}</span>
              <span class="proc">{row.process}</span>
              <span class="msg"><Highlighted text={row.message} ranges={row.highlights} /></span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
