import { useState } from 'preact/hooks';
import { api, type Page } from '../api';
import { usePoll, useAction } from '../hooks';
import type { DashboardPage } from '../pages';
import { href, navigate } from '../router';
import type { Session } from '../types';
import { ErrorNote, Field, formatTime, PageTitle, SessionStatus } from '../ui';

function SessionsPage() {
  const sessions = usePoll(() => api<Page<Session>>('GET', '/sessions?limit=200'), 2000, []);
  return (
    <>
      <PageTitle>WhatsApp sessions</PageTitle>
      <ErrorNote message={sessions.error?.message} />
      {!sessions.data ? (
        <p aria-busy="true">Loading…</p>
      ) : sessions.data.data.length === 0 ? (
        <p>No sessions yet: create one below, then scan its QR code with WhatsApp on your phone.</p>
      ) : (
        <ul class="cards" aria-live="polite">
          {sessions.data.data.map((session) => (
            <li key={session.sessionId} class="card session">
              <a href={href('sessions', session.sessionId)} class="title">
                {session.name ? `${session.name} (${session.sessionId})` : session.sessionId}
              </a>
              <SessionStatus status={session.status} />
              <span class="meta">{session.phoneNumber ? `+${session.phoneNumber}` : 'not linked'}</span>
              <span class="meta">Last seen {formatTime(session.lastSeen)}</span>
            </li>
          ))}
        </ul>
      )}
      <CreateSession />
    </>
  );
}

function CreateSession() {
  const [sessionId, setSessionId] = useState('');
  const [name, setName] = useState('');
  const [phoneNumber, setPhoneNumber] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const body = { sessionId: sessionId.trim(), name: name.trim() || undefined, phoneNumber: phoneNumber.trim() || undefined };
    if (await run(() => api('POST', '/sessions', body))) navigate('sessions', body.sessionId);
  };

  return (
    <section aria-labelledby="create-session">
      <h2 id="create-session">New session</h2>
      <form class="card" onSubmit={submit}>
        <Field
          label="Session id"
          name="sessionId"
          required
          pattern="[A-Za-z0-9_\-]{1,100}"
          hint="Letters, digits, - and _; unique on this gateway."
          value={sessionId}
          onInput={(e) => setSessionId(e.currentTarget.value)}
        />
        <Field label="Name (optional)" name="name" maxLength={255} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Field
          label="Phone number (optional)"
          name="phoneNumber"
          type="tel"
          autocomplete="tel"
          hint="To link by pairing code instead of QR: the WhatsApp number, country code first."
          value={phoneNumber}
          onInput={(e) => setPhoneNumber(e.currentTarget.value)}
        />
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create session'}
        </button>
      </form>
    </section>
  );
}

export const sessionsPage: DashboardPage = { path: 'sessions', nav: 'Sessions', component: SessionsPage };
