import type { ClonePlanItem } from '@dolly/model';
import { type CostDelta, type CostSide, planCostView, trendLabel } from './plan-cost.ts';

function Delta({ delta }: { delta: CostDelta }) {
  const t = trendLabel[delta.trend];
  return (
    <span className={`tone-${t.tone}`}>
      {delta.text}
      {delta.trend === 'cheaper' || delta.trend === 'dearer' ? ` (${t.word})` : ''}
    </span>
  );
}

function Side({ side }: { side: CostSide | undefined }) {
  if (!side) return <span className="muted">—</span>;
  return (
    <>
      <strong>{side.monthly}</strong>{' '}
      <span className="muted small">
        {side.nodes}
        {side.spot ? ', spot (on-demand price)' : ''} · {side.hourly}
      </span>
    </>
  );
}

/** Monthly on-demand cost of the item, source beside target per node pool, with the price basis. */
export function PlanCostTable({ item }: { item: ClonePlanItem }) {
  const view = planCostView(item);
  if (view.status !== 'ok')
    return (
      <p className="note" data-cost-status={view.status}>
        {view.message}
      </p>
    );
  return (
    <div className="table-scroll plan-cost">
      <table className="data-table">
        <caption className="visually-hidden">
          {item.source.name} → {item.target.name}: monthly on-demand cost in USD, source and target
        </caption>
        <thead>
          <tr>
            <th scope="col">Monthly cost (USD)</th>
            <th scope="col" className="num">
              Source <span className="muted small">({item.source.cloud})</span>
            </th>
            <th scope="col" className="num">
              Target <span className="muted small">({item.target.cloud})</span>
            </th>
            <th scope="col" className="num">
              Difference
            </th>
          </tr>
        </thead>
        <tbody>
          {view.rows.map((r) => (
            <tr key={r.key} data-cost-pool={r.key}>
              <th scope="row">Node pool {r.title}</th>
              <td className="num">
                <Side side={r.source} />
              </td>
              <td className="num">
                <Side side={r.target} />
              </td>
              <td className="num">
                <Delta delta={r.delta} />
              </td>
            </tr>
          ))}
          <tr data-cost-total="">
            <th scope="row">Total per month</th>
            <td className="num">
              <strong>{view.total.source}</strong>
            </td>
            <td className="num">
              <strong>{view.total.target}</strong>
            </td>
            <td className="num">
              <strong>
                <Delta delta={view.total.delta} />
              </strong>
            </td>
          </tr>
        </tbody>
      </table>
      <div className="muted small" data-cost-basis="">
        {view.basis.map((line) => (
          <div key={line}>{line}</div>
        ))}
        {view.unpriced.length > 0 && <div>Not priced (no catalog price): {view.unpriced.join(', ')}.</div>}
        <div>{view.spot}</div>
        <div>Basis: {view.method}.</div>
      </div>
    </div>
  );
}
