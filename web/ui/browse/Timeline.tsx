/**
 * The merged list of entries, virtualized (@tanstack/virtual-core): only the visible rows exist in the
 * DOM, and rows are fetched from the worker in pages as they scroll into view. Keyboard: the list is one
 * tab stop (a listbox); arrows, Page Up/Down, Home/End move the cursor row, Enter opens it.
 */
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer } from '@tanstack/virtual-core';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
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
  /**
   * The keyboard's row (index in the result), -1 before the first key. A new result starts it over in
   * the render that shows the result: reset by an effect after it, a key pressed as the result
   * appeared was undone (a browser test caught it: two arrows, then Enter, opened the first row).
   */
  const [mark, setMark] = useState({ generation, index: -1 });
  const cursor = mark.generation === generation ? mark.index : -1;
  const setCursor = (index: number) => setMark({ generation, index });
  // (before the next key too: a layout effect runs before the browser handles another event)
  useLayoutEffect(() => scroller.current?.scrollTo({ top: 0 }), [generation]);

  const rowAt = (index: number): Row | undefined => {
    const page = pages.get(Math.floor(index / PAGE));
    return page && page !== 'loading' ? page[index % PAGE] : undefined;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const visible = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: 1, ArrowUp: -1, PageDown: visible, PageUp: -visible, Home: -Infinity, End: Infinity,
    };
    if (e.key in moves && total > 0) {
      e.preventDefault();
      const next = Math.max(0, Math.min(total - 1, (cursor < 0 && moves[e.key] > 0 ? -1 : cursor) + moves[e.key]));
      setCursor(next);
      virtualizer.scrollToIndex(next, { align: 'auto' });
    } else if ((e.key === 'Enter' || e.key === ' ') && cursor >= 0) {
      e.preventDefault();
      const row = rowAt(cursor);
      if (row) onOpen(row);
    }
  };

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
    <div
      class="timeline"
      ref={scroller}
      role="listbox"
      aria-label={`Entries (${total.toLocaleString()})`}
      aria-activedescendant={cursor >= 0 && rowAt(cursor) ? `tl-row-${cursor}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {total === 0 && <p class="timeline-empty">No entry matches.</p>}
      <div style={{ height: `${virtualizer.getTotalSize()}px`, position: 'relative' }}>
        {items.map((it) => {
          const row = rowAt(it.index);
          const style = { transform: `translateY(${it.start}px)`, height: `${ROW_HEIGHT}px` };
          if (!row) return <div class="row loading" key={it.key} style={style} aria-hidden="true" />;
          const prio = row.priority === 255 ? 8 : row.priority;
          return (
            <div
              key={it.key}
              id={`tl-row-${it.index}`}
              role="option"
              aria-posinset={it.index + 1}
              aria-setsize={total}
              aria-selected={selected === row.id}
              class={`row prio-${prio}${selected === row.id ? ' selected' : ''}${cursor === it.index ? ' cursor' : ''}`}
              style={style}
              onClick={() => {
                setCursor(it.index);
                onOpen(row);
              }}
            >
              <span class={`seal seal-${row.seal}`} title={sealLabel(row.seal)}>{SEAL_MARK[row.seal]}</span>
              <span class="ts">{(() => {
                const [date, time] = formatTime(row.realtime).split(' ');
                return <><span class="ts-date">{date} </span>{time}</>;
              })()}</span>
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
