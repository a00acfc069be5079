import { useState } from 'preact/hooks';
import { api, seg, type Page } from '../api';
import { usePoll, useAction } from '../hooks';
import type { DashboardPage } from '../pages';
import { href } from '../router';
import { SecretOnce } from '../secret-once';
import { ErrorNote, Field, PageTitle } from '../ui';

export interface Webhook {
  id: string;
  url: string;
  event: string;
  isActive: boolean;
  maxRetries: number;
  retries: number;
  lastError: string | null;
  sessionIds: string[] | null;
  secret?: string;
  createdAt: string;
}

interface EventCatalogue {
  events: { name: string; description: string; optIn: boolean }[];
}

function WebhooksPage() {
  const webhooks = usePoll(() => api<Page<Webhook>>('GET', '/webhooks?limit=200'), 5000, []);
  const [created, setCreated] = useState<Webhook>();
  return (
    <>
      <PageTitle>Webhooks</PageTitle>
      <p class="meta">Each webhook receives signed POSTs for the events it subscribes to; open one to see its delivery log.</p>
      <ErrorNote message={webhooks.error?.message} />
      {created?.secret && (
        <SecretOnce
          label={`Signing secret of the webhook to ${created.url}.`}
          value={created.secret}
          onDismiss={() => setCreated(undefined)}
        />
      )}
      {!webhooks.data ? (
        <p aria-busy="true">Loading…</p>
      ) : webhooks.data.data.length === 0 ? (
        <p>No webhooks yet: add one below.</p>
      ) : (
        <ul class="cards">
          {webhooks.data.data.map((webhook) => (
            <WebhookCard key={webhook.id} webhook={webhook} onDeleted={webhooks.reload} />
          ))}
        </ul>
      )}
      <CreateWebhook
        onCreated={(webhook) => {
          setCreated(webhook);
          webhooks.reload();
        }}
      />
    </>
  );
}

export function WebhookState({ webhook }: { webhook: Webhook }) {
  if (!webhook.isActive) return <span class="status status-error">Disabled</span>;
  if (webhook.retries > 0) return <span class="status status-connecting">Failing ({webhook.retries})</span>;
  return <span class="status status-connected">Active</span>;
}

function WebhookCard({ webhook, onDeleted }: { webhook: Webhook; onDeleted: () => void }) {
  const { busy, error, run } = useAction();
  const remove = async () => {
    if (!confirm(`Delete the webhook to ${webhook.url} and its delivery log?`)) return;
    if (await run(() => api('DELETE', seg`/webhooks/${webhook.id}`))) onDeleted();
  };
  return (
    <li class="card">
      <a href={href('webhooks', webhook.id)} class="title">
        {webhook.url}
      </a>
      <WebhookState webhook={webhook} />
      <span class="meta">Events: {webhook.event}</span>
      {webhook.sessionIds && <span class="meta">Sessions: {webhook.sessionIds.join(', ')}</span>}
      {webhook.lastError && <span class="meta">Last error: {webhook.lastError}</span>}
      <div class="actions">
        <button type="button" class="danger" disabled={busy} onClick={remove} aria-label={`Delete webhook to ${webhook.url}`}>
          Delete
        </button>
      </div>
      <ErrorNote message={error} />
    </li>
  );
}

function CreateWebhook({ onCreated }: { onCreated: (webhook: Webhook) => void }) {
  const [url, setUrl] = useState('');
  const [event, setEvent] = useState('messages.*');
  const { busy, error, run } = useAction();
  const catalogue = usePoll(() => api<EventCatalogue>('GET', '/webhooks/events'), 3_600_000, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    let webhook: Webhook | undefined;
    if (await run(async () => (webhook = await api<Webhook>('POST', '/webhooks', { url: url.trim(), event: event.trim() })))) {
      setUrl('');
      onCreated(webhook!);
    }
  };

  return (
    <section aria-labelledby="create-webhook">
      <h2 id="create-webhook">New webhook</h2>
      <form class="card" onSubmit={submit}>
        <Field
          label="URL"
          name="url"
          type="url"
          required
          placeholder="https://n8n.example.com/webhook/…"
          hint="http(s); private and loopback addresses only when the gateway allows them (WEBHOOK_ALLOW_PRIVATE)."
          value={url}
          onInput={(e) => setUrl(e.currentTarget.value)}
        />
        <Field
          label="Events"
          name="event"
          required
          list="webhook-events"
          hint="An event, a prefix such as messages.*, * for all, or a comma-separated list."
          value={event}
          onInput={(e) => setEvent(e.currentTarget.value)}
        />
        <datalist id="webhook-events">
          <option value="*" />
          {catalogue.data?.events.map((ev) => (
            <option key={ev.name} value={ev.name}>
              {ev.description}
            </option>
          ))}
        </datalist>
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create webhook'}
        </button>
      </form>
    </section>
  );
}

export const webhooksPage: DashboardPage = { path: 'webhooks', nav: 'Webhooks', component: WebhooksPage };
