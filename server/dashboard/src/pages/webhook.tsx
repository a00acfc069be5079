import { useState } from 'preact/hooks';
import { api, seg, type Page } from '../api';
import { usePoll, useAction } from '../hooks';
import type { DashboardPage, PageProps } from '../pages';
import { href, navigate } from '../router';
import { Table } from '../table';
import { ErrorNote, formatTime, PageTitle } from '../ui';
import { WebhookState, type Webhook } from './webhooks';

const STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'RETRYING'] as const;
type DeliveryStatus = (typeof STATUSES)[number];

interface Delivery {
  id: string;
  event: string;
  status: DeliveryStatus;
  attempts: number;
  nextRetry: string | null;
  response: string | null;
  createdAt: string;
}

interface TestResult {
  success: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

const STATUS_CLASS: Record<DeliveryStatus, string> = {
  SUCCESS: 'status-connected',
  PENDING: 'status-disconnected',
  RETRYING: 'status-connecting',
  FAILED: 'status-error',
};

function WebhookPage({ params }: PageProps) {
  const id = params.id!;
  const webhook = usePoll(() => api<Webhook>('GET', seg`/webhooks/${id}`), 5000, [id]);
  const [status, setStatus] = useState<DeliveryStatus | ''>('');
  const query = `?limit=50${status ? `&status=${status}` : ''}`;
  const deliveries = usePoll(() => api<Page<Delivery>>('GET', seg`/webhooks/${id}/deliveries` + query), 3000, [id, query]);

  return (
    <>
      <p class="crumbs">
        <a href={href('webhooks')}>Webhooks</a> /
      </p>
      <PageTitle>Webhook</PageTitle>
      <ErrorNote message={webhook.error?.message} />
      {webhook.data && (
        <WebhookSummary
          webhook={webhook.data}
          onChange={() => {
            webhook.reload();
            deliveries.reload();
          }}
        />
      )}
      <section aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading">Delivery log</h2>
        <div class="field inline">
          <label for="delivery-status">Status</label>
          <select id="delivery-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as DeliveryStatus | '')}>
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <ErrorNote message={deliveries.error?.message} />
        {deliveries.data?.data.length === 0 && <p>No deliveries{status ? ` with status ${status.toLowerCase()}` : ''}.</p>}
        {!!deliveries.data?.data.length && <DeliveryTable deliveries={deliveries.data.data} onRedelivered={deliveries.reload} />}
      </section>
    </>
  );
}

function WebhookSummary({ webhook, onChange }: { webhook: Webhook; onChange: () => void }) {
  const { busy, error, run } = useAction();
  const [result, setResult] = useState<TestResult>();
  const ping = () =>
    run(async () => {
      setResult(undefined);
      setResult(await api<TestResult>('POST', seg`/webhooks/${webhook.id}/test`));
      onChange();
    });
  const toggle = () => run(async () => (await api('PATCH', seg`/webhooks/${webhook.id}`, { isActive: !webhook.isActive }), onChange()));
  const remove = async () => {
    if (!confirm(`Delete the webhook to ${webhook.url} and its delivery log?`)) return;
    if (await run(() => api('DELETE', seg`/webhooks/${webhook.id}`))) navigate('webhooks');
  };

  return (
    <section class="card" aria-label="Webhook settings">
      <p class="title">{webhook.url}</p>
      <p>
        <WebhookState webhook={webhook} /> <span class="meta">Events: {webhook.event}</span>
      </p>
      {webhook.lastError && <p class="meta">Last error: {webhook.lastError}</p>}
      <div class="actions">
        <button type="button" disabled={busy} onClick={ping}>
          Send test ping
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={toggle}>
          {webhook.isActive ? 'Disable' : 'Enable'}
        </button>
        <button type="button" class="danger" disabled={busy} onClick={remove}>
          Delete
        </button>
      </div>
      <ErrorNote message={error} />
      <p aria-live="polite" class={result ? (result.success ? 'note ok' : 'note bad') : undefined}>
        {result &&
          (result.success
            ? `Test ping delivered: HTTP ${result.statusCode} in ${result.durationMs} ms.`
            : `Test ping failed: ${result.statusCode ? `HTTP ${result.statusCode}` : (result.error ?? 'no answer')} after ${result.durationMs} ms.`)}
      </p>
    </section>
  );
}

function DeliveryTable({ deliveries, onRedelivered }: { deliveries: Delivery[]; onRedelivered: () => void }) {
  const { busy, error, run } = useAction();
  const redeliver = async (delivery: Delivery) => {
    if (await run(() => api('POST', seg`/webhook-deliveries/${delivery.id}/redeliver`))) onRedelivered();
  };
  return (
    <>
      <ErrorNote message={error} />
      <Table
        caption="Deliveries, newest first"
        columns={['Created', 'Event', 'Status', 'Attempts', 'Last answer']}
        name="deliveries"
        stacked
        actions
      >
        {deliveries.map((d) => (
          <tr key={d.id}>
            <td data-label="Created">{formatTime(d.createdAt)}</td>
            <td data-label="Event">{d.event}</td>
            <td data-label="Status">
              <span class={`status ${STATUS_CLASS[d.status]}`}>{d.status.toLowerCase()}</span>
              {d.nextRetry && d.status === 'RETRYING' && <span class="meta"> next {formatTime(d.nextRetry)}</span>}
            </td>
            <td data-label="Attempts">{d.attempts}</td>
            <td data-label="Last answer" class="response">
              {d.response ?? '—'}
            </td>
            <td>
              <button
                type="button"
                class="secondary small"
                disabled={busy}
                onClick={() => redeliver(d)}
                aria-label={`Redeliver ${d.event} of ${formatTime(d.createdAt)}`}
              >
                Redeliver
              </button>
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

export const webhookPage: DashboardPage = { path: 'webhooks/:id', component: WebhookPage };
