/**
 * Fields with per-value counts under the current filter (a field's own selection left out of its counts,
 * so its other values stay visible); click includes a value, − excludes it.
 */
import { useState } from 'preact/hooks';
import type { Facet } from '../../../src/search/facets.js';
import { PRIORITY_LABELS } from './format.js';

interface Props {
  facets: Facet[];
  fields: Array<{ field: string; distinct: number; facet: boolean }>;
  include: Record<string, string[]>;
  exclude: Record<string, string[]>;
  onToggle(field: string, value: string, mode: 'include' | 'exclude'): void;
  onAddField(field: string): void;
}

const label = (field: string, value: string) =>
  field === 'PRIORITY' && /^[0-7]$/.test(value) ? `${value} ${PRIORITY_LABELS[Number(value)]}` : value || '(empty)';

export function Facets({ facets, fields, include, exclude, onToggle, onAddField }: Props) {
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const shown = new Set(facets.map((f) => f.field));
  return (
    <nav class="facets" aria-label="Facets">
      {facets.map((f) => {
        const inc = new Set(include[f.field] ?? []);
        const exc = new Set(exclude[f.field] ?? []);
        const collapsed = open[f.field] === false || (open[f.field] === undefined && f.values.length === 0);
        return (
          <section class="facet" key={f.field}>
            <h3>
              <button type="button" class="facet-head" aria-expanded={!collapsed} onClick={() => setOpen({ ...open, [f.field]: collapsed })}>
                {f.field} <small>{f.distinct}</small>
              </button>
            </h3>
            {!collapsed && (
              <ul>
                {f.values.map((v) => (
                  <li key={v.value} class={inc.has(v.value) ? 'inc' : exc.has(v.value) ? 'exc' : ''}>
                    <button type="button" class="facet-val" title={`${f.field}=${v.value}`} onClick={() => onToggle(f.field, v.value, 'include')}>
                      <span class="facet-name">{label(f.field, v.value)}</span>
                      <span class="facet-count">{v.count.toLocaleString()}</span>
                    </button>
                    <button type="button" class="facet-ex" title={`Exclude ${f.field}=${v.value}`} aria-label={`Exclude ${v.value}`} onClick={() => onToggle(f.field, v.value, 'exclude')}>
                      −
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      })}
      <select class="facet-add" aria-label="Add a facet" value="" onChange={(e) => onAddField((e.target as HTMLSelectElement).value)}>
        <option value="">+ field…</option>
        {fields.filter((f) => !shown.has(f.field)).map((f) => (
          <option key={f.field} value={f.field}>{f.field} ({f.distinct})</option>
        ))}
      </select>
    </nav>
  );
}
