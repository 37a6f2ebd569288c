import type { components } from '@dolly/api-client';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { formatDateTime, formatRelative } from '../../../lib/format.ts';
import { SelectField, TextField } from '../components/field.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { StateLabel, type Tone } from '../components/state-label.tsx';
import { useAuditLog } from '../settings-api.ts';
import {
  type AuditFilters,
  type AuditOutcome,
  auditApiQuery,
  auditExportUrl,
  auditFiltersFromSearch,
  auditFiltersToSearch,
  dateRangeError,
  emptyAuditFilters,
} from './audit-filters.ts';

type AuditEntry = components['schemas']['AuditEntry'];

const outcomeLabels: Record<AuditOutcome, { tone: Tone; label: string }> = {
  success: { tone: 'success', label: 'Success' },
  denied: { tone: 'attention', label: 'Denied' },
  failed: { tone: 'danger', label: 'Failed' },
};

/** Cursors of the pages before this one, kept in history state so Back and "Newer" agree. */
type PagingState = { trail?: string[] } | null;

export function AuditPage() {
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const applied = auditFiltersFromSearch(search);
  const query = auditApiQuery(applied);
  const log = useAuditLog(query);
  const trail = (location.state as PagingState)?.trail ?? [];
  const go = (filters: AuditFilters, nextTrail: string[]) => {
    const text = auditFiltersToSearch(filters).toString();
    navigate({ search: text ? `?${text}` : '' }, { state: { trail: nextTrail } });
  };
  return (
    <section aria-labelledby="st-audit">
      <SectionHeader
        id="st-audit"
        title="Audit log"
        intro="Every change and every refused attempt in this tenant, newest first, with who did it and how it ended."
      >
        <a className="st-button-link" href={auditExportUrl(applied)} download="dolly-audit.jsonl">
          Export JSON lines
        </a>
      </SectionHeader>
      <AuditFilterForm applied={applied} onApply={(filters) => go({ ...filters, before: '' }, [])} />
      <QueryState isPending={log.isPending} error={log.error} what="the audit log" />
      {log.data && (
        <>
          <AuditTable entries={log.data.items} />
          <nav className="st-pager" aria-label="Audit log pages">
            <button
              type="button"
              className="secondary"
              disabled={!applied.before}
              onClick={() => go({ ...applied, before: trail.at(-1) ?? '' }, trail.slice(0, -1))}
            >
              ← Newer
            </button>
            <span className="muted" aria-live="polite">
              {applied.before ? 'Older entries' : 'Newest entries'} · {log.data.items.length} shown
              {log.isFetching ? ' · refreshing…' : ''}
            </span>
            <button
              type="button"
              className="secondary"
              disabled={!log.data.nextBefore}
              onClick={() =>
                go({ ...applied, before: log.data.nextBefore ?? '' }, [...trail, applied.before])
              }
            >
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}

function AuditFilterForm({
  applied,
  onApply,
}: {
  applied: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}) {
  const [draft, setDraft] = useState(applied);
  // Back/forward and links change the URL: the form follows it.
  const key = auditFiltersToSearch({ ...applied, before: '' }).toString();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the applied filters
  useEffect(() => setDraft(applied), [key]);
  const rangeError = dateRangeError(draft);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!rangeError) onApply(draft);
  };
  return (
    <form className="st-card st-form st-filters" onSubmit={submit} aria-label="Filter the audit log">
      <div className="st-row">
        <TextField
          label="Actor email"
          type="email"
          value={draft.actor}
          onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
          autoComplete="off"
        />
        <TextField
          label="Action contains"
          hint="e.g. member. or token.create"
          value={draft.action}
          onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          autoComplete="off"
        />
        <SelectField
          label="Outcome"
          value={draft.outcome}
          onChange={(e) => setDraft({ ...draft, outcome: e.target.value as AuditFilters['outcome'] })}
        >
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="denied">Denied</option>
          <option value="failed">Failed</option>
        </SelectField>
        <TextField
          label="From"
          type="date"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
        <TextField
          label="To"
          type="date"
          value={draft.to}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          error={rangeError}
        />
      </div>
      <div className="st-form-actions">
        <button type="submit">Apply filters</button>
        <Link to="/settings/audit" onClick={() => setDraft(emptyAuditFilters)}>
          Clear
        </Link>
      </div>
    </form>
  );
}

function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <div className="st-table-wrap">
      <table className="st-table">
        <caption className="st-sr-only">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.length === 0 && (
            <tr>
              <td colSpan={6} className="st-empty">
                No entries match these filters.
              </td>
            </tr>
          )}
          {entries.map((entry) => (
            <tr key={entry.id} data-action={entry.action}>
              <td title={formatDateTime(entry.createdAt)}>
                <time dateTime={entry.createdAt}>{formatRelative(entry.createdAt)}</time>
              </td>
              <td>
                {entry.actor ?? <span className="muted">system</span>}
                {entry.tokenId && <span className="st-small muted"> via API token</span>}
              </td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td>{entry.targetType ? `${entry.targetType} ${entry.targetId ?? ''}` : '—'}</td>
              <td>
                <StateLabel tone={outcomeLabels[entry.outcome].tone}>
                  {outcomeLabels[entry.outcome].label}
                </StateLabel>
              </td>
              <td>
                <details>
                  <summary>Show</summary>
                  <pre className="st-json">
                    {JSON.stringify(
                      { requestId: entry.requestId, tokenId: entry.tokenId, detail: entry.detail },
                      null,
                      2,
                    )}
                  </pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
