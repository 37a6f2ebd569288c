import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { CopyOnce } from '../../../components/copy-once.tsx';
import { dolly, unwrap } from '../../../lib/api-client.ts';
import { formatDateTime, formatRelative } from '../../../lib/format.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { SelectField, TextField } from '../components/field.tsx';
import { FormProblem } from '../components/form-problem.tsx';
import { QueryState } from '../components/loading.tsx';
import { SectionHeader } from '../components/section-header.tsx';
import { StateLabel } from '../components/state-label.tsx';
import { errorMessage, fieldErrors, problemOf } from '../problem.ts';
import { settingsKeys, useWebhookDeliveries, useWebhooks } from '../settings-api.ts';
import {
  deliveryState,
  eventLabel,
  eventOptions,
  type Webhook,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookFormat,
  webhookFormProblems,
} from './webhook-model.ts';

type CreatedWebhook = Webhook & { secret: string };

export function WebhooksPage() {
  const webhooks = useWebhooks();
  // The secret lives only in this state: never cached, gone on reload, as the API shows it once.
  const [created, setCreated] = useState<CreatedWebhook>();
  const [selected, setSelected] = useState<string>();
  const createdHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (created) createdHeading.current?.focus();
  }, [created]);
  const shown = webhooks.data?.find((w) => w.id === selected);
  return (
    <section aria-labelledby="st-webhooks">
      <SectionHeader
        id="st-webhooks"
        title="Webhooks"
        intro={
          <>
            Dolly posts run events (pending approval, succeeded, partially succeeded, failed, rolled back,
            rejected) and drift found to these URLs, signed with <code>X-Dolly-Signature: sha256=…</code>{' '}
            (HMAC of the body with the webhook's secret). Slack format posts a message with a link to the run.
            Failed deliveries are retried with backoff.
          </>
        }
      />
      {created && (
        <section className="st-card st-secret" aria-labelledby="st-webhook-created">
          <h3 id="st-webhook-created" ref={createdHeading} tabIndex={-1}>
            Webhook added
          </h3>
          <CopyOnce
            label="Signing secret"
            value={created.secret}
            note="Copy it now into your receiver to verify signatures: Dolly will never show it again."
          />
          <button type="button" className="secondary" onClick={() => setCreated(undefined)}>
            I have copied it
          </button>
        </section>
      )}
      <AddWebhookForm
        onCreated={(w) => {
          setCreated(w);
          setSelected(w.id);
        }}
      />
      <QueryState isPending={webhooks.isPending} error={webhooks.error} what="webhooks" />
      {webhooks.data && <WebhookTable webhooks={webhooks.data} selected={selected} onSelect={setSelected} />}
      {shown && <DeliveryLog webhook={shown} />}
    </section>
  );
}

function AddWebhookForm({ onCreated }: { onCreated: (w: CreatedWebhook) => void }) {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<WebhookFormat>('json');
  const [events, setEvents] = useState<WebhookEvent[]>(['run.pending_approval', 'run.failed']);
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (body: { url: string; format: WebhookFormat; events: WebhookEvent[] }) =>
      unwrap(dolly.POST('/api/v1/webhooks', { body })),
    onSuccess: async (w) => {
      onCreated(w);
      setUrl('');
      await client.invalidateQueries({ queryKey: settingsKeys.webhooks });
    },
  });
  const server = fieldErrors(problemOf(create.error), ['url', 'format', 'events']);
  const errors = { ...server.byPath, ...localErrors };
  const toggle = (event: WebhookEvent, on: boolean) =>
    setEvents((current) => (on ? [...current, event] : current.filter((e) => e !== event)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.reset();
    const problems = webhookFormProblems({ url, events });
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    create.mutate({ url: url.trim(), format, events });
  };
  return (
    <form className="st-card st-form" onSubmit={submit} noValidate aria-label="Add a webhook">
      <h3>Add a webhook</h3>
      <FormProblem error={create.error} fields={server} />
      <div className="st-row">
        <TextField
          label="URL"
          hint="https on a public address, e.g. a Slack incoming-webhook URL."
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          error={errors.url}
          inputMode="url"
          autoComplete="off"
          required
        />
        <SelectField
          label="Format"
          value={format}
          onChange={(e) => setFormat(e.target.value as WebhookFormat)}
          error={errors.format}
        >
          <option value="json">JSON (signed event)</option>
          <option value="slack">Slack incoming webhook</option>
        </SelectField>
      </div>
      <fieldset className="st-choices st-inline">
        <legend>Events</legend>
        {eventOptions.map((o) => (
          <label key={o.value} className="st-choice">
            <input
              type="checkbox"
              checked={events.includes(o.value)}
              onChange={(e) => toggle(o.value, e.target.checked)}
            />
            {o.label}
          </label>
        ))}
        {errors.events && <span className="st-error">✕ {errors.events}</span>}
      </fieldset>
      <div className="st-form-actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
    </form>
  );
}

function WebhookTable({
  webhooks,
  selected,
  onSelect,
}: {
  webhooks: Webhook[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const client = useQueryClient();
  const [deleting, setDeleting] = useState<Webhook>();
  const refresh = (id?: string) =>
    Promise.all([
      client.invalidateQueries({ queryKey: settingsKeys.webhooks }),
      ...(id ? [client.invalidateQueries({ queryKey: settingsKeys.deliveries(id) })] : []),
    ]);
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(dolly.DELETE('/api/v1/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setDeleting(undefined);
      await refresh();
    },
  });
  const toggle = useMutation({
    mutationFn: (w: Webhook) =>
      unwrap(
        dolly.PATCH('/api/v1/webhooks/{id}', {
          params: { path: { id: w.id } },
          body: { enabled: !w.enabled },
        }),
      ),
    onSuccess: () => refresh(),
  });
  const ping = useMutation({
    mutationFn: (id: string) =>
      unwrap(dolly.POST('/api/v1/webhooks/{id}/test', { params: { path: { id } } })),
    onSuccess: async (d) => {
      onSelect(d.webhookId);
      await refresh(d.webhookId);
    },
  });
  const actionError = toggle.error ?? ping.error;
  return (
    <div className="st-table-wrap">
      {actionError ? <p role="alert">{errorMessage(actionError)}</p> : null}
      <table className="st-table">
        <caption className="st-sr-only">Webhooks</caption>
        <thead>
          <tr>
            <th scope="col">URL</th>
            <th scope="col">Format</th>
            <th scope="col">Events</th>
            <th scope="col">State</th>
            <th scope="col">Added</th>
            <th scope="col">
              <span className="st-sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {webhooks.length === 0 && (
            <tr>
              <td colSpan={6} className="st-empty">
                No webhooks yet.
              </td>
            </tr>
          )}
          {webhooks.map((w) => (
            <tr key={w.id} data-webhook={w.url} aria-selected={w.id === selected}>
              <th scope="row">
                <code>{w.url}</code>
              </th>
              <td>{w.format === 'slack' ? 'Slack' : 'JSON'}</td>
              <td>{w.events.map(eventLabel).join(', ')}</td>
              <td>
                <StateLabel tone={w.enabled ? 'success' : 'neutral'}>
                  {w.enabled ? 'Active' : 'Paused'}
                </StateLabel>
              </td>
              <td title={formatDateTime(w.createdAt)}>{formatRelative(w.createdAt)}</td>
              <td className="st-actions">
                <button type="button" className="secondary" onClick={() => onSelect(w.id)}>
                  Deliveries
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={!w.enabled || ping.isPending}
                  aria-label={`Send a test to ${w.url}`}
                  onClick={() => ping.mutate(w.id)}
                >
                  Send test
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={toggle.isPending}
                  onClick={() => toggle.mutate(w)}
                >
                  {w.enabled ? 'Pause' : 'Resume'}
                </button>
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Delete ${w.url}`}
                  onClick={() => setDeleting(w)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmDialog
        open={Boolean(deleting)}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onClose={() => {
          remove.reset();
          setDeleting(undefined);
        }}
      >
        <p>
          <code>{deleting?.url}</code> gets no more events, and its delivery log is deleted with it.
        </p>
      </ConfirmDialog>
    </div>
  );
}

/** What a delivery was about: its run, or the drift report (on its cluster's page). */
function DeliverySubject({ delivery: d }: { delivery: WebhookDelivery }) {
  if (d.runId) return <Link to={`/runs/${d.runId}`}>run {d.runId.slice(0, 8)}…</Link>;
  if (d.driftReportId && d.driftClusterId)
    return (
      <Link to={`/clusters/${d.driftClusterId}?tab=drift`} data-drift-report={d.driftReportId}>
        drift report {d.driftReportId.slice(0, 8)}…
      </Link>
    );
  if (d.event === 'drift.detected') return <span className="muted">drift report (pruned)</span>;
  return <>—</>;
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const deliveries = useWebhookDeliveries(webhook.id);
  return (
    <section className="st-card" aria-labelledby="st-webhook-deliveries">
      <h3 id="st-webhook-deliveries">
        Deliveries to <code>{webhook.url}</code>
      </h3>
      <QueryState isPending={deliveries.isPending} error={deliveries.error} what="deliveries" />
      {deliveries.data && (
        <div className="st-table-wrap">
          <table className="st-table">
            <caption className="st-sr-only">Delivery log</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">About</th>
                <th scope="col">State</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
                <th scope="col">Sent</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.data.length === 0 && (
                <tr>
                  <td colSpan={6} className="st-empty">
                    Nothing sent yet. “Send test” posts a signed ping.
                  </td>
                </tr>
              )}
              {deliveries.data.map((d) => {
                const state = deliveryState(d);
                return (
                  <tr key={d.id} data-delivery={d.id}>
                    <td>{eventLabel(d.event)}</td>
                    <td>
                      <DeliverySubject delivery={d} />
                    </td>
                    <td>
                      <StateLabel tone={state.tone}>{state.label}</StateLabel>
                      {d.status === 'pending' && d.nextAttemptAt && (
                        <span className="st-small muted"> next {formatRelative(d.nextAttemptAt)}</span>
                      )}
                    </td>
                    <td>{d.attempts}</td>
                    <td>
                      {d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : ''}
                      {d.lastError && <span className="st-small muted"> {d.lastError}</span>}
                    </td>
                    <td title={formatDateTime(d.deliveredAt ?? d.createdAt)}>
                      {formatRelative(d.deliveredAt ?? d.createdAt)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
