import { useEffect, useState } from 'preact/hooks';
import { api, apiBlob, seg, type Page } from '../api';
import { usePoll, useAction } from '../hooks';
import type { DashboardPage, PageProps } from '../pages';
import { href, navigate } from '../router';
import type { Chat, Session } from '../types';
import { useContactNames } from '../contact-names';
import { ErrorNote, Field, formatTime, PageTitle, SessionStatus } from '../ui';

function SessionPage({ params }: PageProps) {
  const id = params.sessionId!;
  const session = usePoll(() => api<Session>('GET', seg`/sessions/${id}`), 2000, [id]);
  const current = session.data;
  return (
    <>
      <p class="crumbs">
        <a href={href('sessions')}>Sessions</a> /
      </p>
      <PageTitle>Session {id}</PageTitle>
      <ErrorNote message={session.error?.message} />
      {current && (
        <>
          <section class="card" aria-labelledby="link-heading">
            <h2 id="link-heading">WhatsApp</h2>
            <p aria-live="polite">
              Status: <SessionStatus status={current.status} />
              {current.status === 'CONNECTED' && current.phoneNumber && <> as +{current.phoneNumber}</>}
              {current.status === 'ERROR' && typeof current.metadata?.error === 'string' && <> ({current.metadata.error})</>}
            </p>
            <Linking session={current} />
            <Actions session={current} onChange={session.reload} />
          </section>
          <Chats sessionId={id} />
        </>
      )}
    </>
  );
}

/** The live QR code or pairing code while the session waits to be linked. */
function Linking({ session }: { session: Session }) {
  const [qrUrl, setQrUrl] = useState<string>();
  const [qrError, setQrError] = useState<string>();
  const waitingForQr = session.status === 'QR_REQUIRED' && session.qrCode;

  // A new image each time WhatsApp rotates the QR; the blob URL is freed when it is replaced.
  useEffect(() => {
    if (!waitingForQr) return undefined;
    let url: string | undefined;
    let cancelled = false;
    apiBlob(seg`/sessions/${session.sessionId}/qr`, 'image/png').then(
      (blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setQrUrl(url);
        setQrError(undefined);
      },
      (error: Error) => !cancelled && setQrError(error.message),
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [waitingForQr, session.qrCode, session.sessionId]);

  if (session.status === 'PAIRING_REQUIRED' && session.pairingCode)
    return (
      <div class="linking">
        <p>On your phone: WhatsApp → Linked devices → Link a device → Link with phone number instead, and enter</p>
        <p class="pairing-code">
          <span class="sr-only">Pairing code: </span>
          {session.pairingCode}
        </p>
      </div>
    );
  if (waitingForQr)
    return (
      <div class="linking">
        <p>On your phone: WhatsApp → Linked devices → Link a device, and scan this code. It changes every few seconds.</p>
        <ErrorNote message={qrError} />
        {qrUrl && <img class="qr" src={qrUrl} width={264} height={264} alt="QR code to link this session with WhatsApp" />}
        <PairingCodeForm sessionId={session.sessionId} />
      </div>
    );
  return null;
}

function PairingCodeForm({ sessionId }: { sessionId: string }) {
  const [phoneNumber, setPhoneNumber] = useState('');
  const { busy, error, run } = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void run(() => api('POST', seg`/sessions/${sessionId}/pairing-code`, { phoneNumber: phoneNumber.trim() }));
  };
  return (
    <details>
      <summary>Link with a phone number instead</summary>
      <form onSubmit={submit}>
        <Field
          label="Phone number"
          name="pairingPhone"
          type="tel"
          required
          hint="Country code first."
          value={phoneNumber}
          onInput={(e) => setPhoneNumber(e.currentTarget.value)}
        />
        <ErrorNote message={error} />
        <button type="submit" disabled={busy}>
          Get a pairing code
        </button>
      </form>
    </details>
  );
}

const ACTIONS = [
  { action: 'connect', label: 'Connect', when: (s: Session) => s.status === 'DISCONNECTED' || s.status === 'ERROR' },
  { action: 'disconnect', label: 'Disconnect', when: (s: Session) => s.status !== 'DISCONNECTED' },
  { action: 'logout', label: 'Log out', when: (s: Session) => s.status === 'CONNECTED', confirm: 'Unlink this device from WhatsApp?' },
] as const;

function Actions({ session, onChange }: { session: Session; onChange: () => void }) {
  const { busy, error, run } = useAction();
  const path = seg`/sessions/${session.sessionId}`;
  const remove = async () => {
    if (!confirm(`Delete session ${session.sessionId} with all its chats and messages?`)) return;
    if (await run(() => api('DELETE', path))) navigate('sessions');
  };
  return (
    <div class="actions">
      {ACTIONS.filter((a) => a.when(session)).map((a) => (
        <button
          key={a.action}
          type="button"
          class="secondary"
          disabled={busy}
          onClick={async () => {
            if ('confirm' in a && !confirm(a.confirm)) return;
            if (await run(() => api('POST', `${path}/${a.action}`))) onChange();
          }}
        >
          {a.label}
        </button>
      ))}
      <button type="button" class="danger" disabled={busy} onClick={remove}>
        Delete
      </button>
      <ErrorNote message={error} />
    </div>
  );
}

function Chats({ sessionId }: { sessionId: string }) {
  const chats = usePoll(() => api<Page<Chat>>('GET', seg`/sessions/${sessionId}/chats` + '?limit=50'), 3000, [sessionId]);
  const label = useContactNames(sessionId);
  return (
    <section aria-labelledby="chats-heading">
      <h2 id="chats-heading">Recent chats</h2>
      <ErrorNote message={chats.error?.message} />
      {chats.data?.data.length === 0 && <p>No chats yet.</p>}
      {!!chats.data?.data.length && (
        <ul class="chats">
          {chats.data.data.map((chat) => (
            <li key={chat.jid}>
              <a href={href('sessions', sessionId, 'chats', chat.jid)} class="chat">
                <span class="title">{chat.name ?? label(chat.jid)}</span>
                {chat.unreadCount > 0 && <span class="badge">{chat.unreadCount} unread</span>}
                <span class="preview">
                  {chat.lastMessage ? `${chat.lastMessage.fromMe ? 'You: ' : ''}${chat.lastMessage.text ?? chat.lastMessage.type}` : ''}
                </span>
                <span class="meta">{formatTime(chat.lastMessage?.timestamp)}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export const sessionPage: DashboardPage = { path: 'sessions/:sessionId', component: SessionPage };
