import type { MapRow } from './migrate-state.ts';

interface Props {
  legend: string;
  hint: string;
  keyLabel: string;
  valueLabel: string;
  rows: readonly MapRow[];
  onChange: (rows: MapRow[]) => void;
}

/** Key → value rows; none means the per-cloud-pair defaults apply. */
export function MapRowsEditor({ legend, hint, keyLabel, valueLabel, rows, onChange }: Props) {
  const set = (i: number, patch: Partial<MapRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="map-rows">
      <legend>{legend}</legend>
      <p className="muted small">{rows.length === 0 ? `Defaults for this pair of clouds. ${hint}` : hint}</p>
      {rows.map((row, i) => (
        // Rows have no identity of their own; the position is it while editing.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <div key={i} className="field-row map-row">
          <label>
            {keyLabel}
            <input value={row.key} spellCheck={false} onChange={(e) => set(i, { key: e.target.value })} />
          </label>
          <span aria-hidden="true">→</span>
          <label>
            {valueLabel}
            <input value={row.value} spellCheck={false} onChange={(e) => set(i, { value: e.target.value })} />
          </label>
          <button
            type="button"
            className="link"
            aria-label={`Remove ${legend} row ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            Remove
          </button>
        </div>
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add a {legend.toLowerCase()} row
      </button>
    </fieldset>
  );
}
