import { useId } from 'react';

export interface ChartBar {
  series: string;
  value: number;
  /** The value as people read it ("4 min 05 s"). */
  display: string;
  note?: string;
}
export interface ChartGroup {
  label: string;
  bars: ChartBar[];
}

interface BarChartProps {
  title: string;
  description: string;
  groups: ChartGroup[];
  /** Series in legend order, with their labels; each bar is also labelled in text. */
  series: { key: string; label: string }[];
  valueHeader: string;
}

const BAR = 18;
const GAP = 4;
const GROUP_GAP = 14;
const LABEL_W = 185;
const WIDTH = 820;

/**
 * Grouped horizontal bars in plain SVG. Every bar carries its series and value as text, so the
 * chart never depends on colour; the same numbers are available as a table for screen readers.
 */
export function BarChart({ title, description, groups, series, valueHeader }: BarChartProps) {
  const titleId = useId();
  const descId = useId();
  const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.value)));
  const seriesIndex = new Map(series.map((s, i) => [s.key, i]));
  const seriesLabel = new Map(series.map((s) => [s.key, s.label]));
  let y = 0;
  const layout = groups.map((g) => {
    const top = y;
    y += g.bars.length * (BAR + GAP) + GROUP_GAP;
    return { group: g, top };
  });
  const height = Math.max(y, 1);
  // Room on the right for the value label after the longest bar.
  const plotW = WIDTH - LABEL_W - 290;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        width="100%"
        style={{ maxWidth: WIDTH }}
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        {layout.map(({ group, top }) => (
          <g key={group.label}>
            <text x={0} y={top + BAR - 4} className="chart-group-label">
              {group.label}
            </text>
            {group.bars.map((bar, i) => {
              const barY = top + i * (BAR + GAP);
              const w = Math.max(2, (bar.value / max) * plotW);
              return (
                <g key={bar.series}>
                  <rect
                    x={LABEL_W}
                    y={barY}
                    width={w}
                    height={BAR}
                    rx={3}
                    className={`chart-bar series-${seriesIndex.get(bar.series) ?? 0}`}
                  />
                  <text x={LABEL_W + w + 6} y={barY + BAR - 5} className="chart-value">
                    {seriesLabel.get(bar.series) ?? bar.series} · {bar.display}
                    {bar.note ? ` (${bar.note})` : ''}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
      <figcaption className="muted small">{description}</figcaption>
      <details className="small">
        <summary>Show the numbers as a table</summary>
        <table className="data-table">
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Series</th>
              <th scope="col">{valueHeader}</th>
            </tr>
          </thead>
          <tbody>
            {groups.flatMap((g) =>
              g.bars.map((b) => (
                <tr key={`${g.label}:${b.series}`}>
                  <th scope="row">{g.label}</th>
                  <td>{seriesLabel.get(b.series) ?? b.series}</td>
                  <td>
                    {b.display}
                    {b.note ? ` (${b.note})` : ''}
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
