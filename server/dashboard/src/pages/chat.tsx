import { useEffect, useRef, useState } from 'preact/hooks';
import { api, seg, type Page } from '../api';
import { useContactNames } from '../contact-names';
import { usePoll, useAction } from '../hooks';
import { messageText } from '../message-text';
import type { DashboardPage, PageProps } from '../pages';
import { href } from '../router';
import type { Message } from '../types';
import { ErrorNote, formatTime, PageTitle } from '../ui';

function ChatPage({ params }: PageProps) {
  const { sessionId, jid } = params as { sessionId: string; jid: string };
  const messages = usePoll(() => api<Page<Message>>('GET', seg`/sessions/${sessionId}/chats/${jid}/messages` + '?limit=50'), 2000, [
    sessionId,
    jid,
  ]);
  const label = useContactNames(sessionId);
  // The API answers newest first; a conversation reads oldest first, newest at the bottom.
  const ordered = messages.data ? [...messages.data.data].reverse() : [];
  const newest = ordered.at(-1)?.id;
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' }), [newest]);

  return (
    <>
      <p class="crumbs">
        <a href={href('sessions')}>Sessions</a> / <a href={href('sessions', sessionId)}>{sessionId}</a> /
      </p>
      <PageTitle>Chat with {label(jid)}</PageTitle>
      <ErrorNote message={messages.error?.message} />
      {messages.data && ordered.length === 0 && <p>No messages stored for this chat yet.</p>}
      <ol class="messages" ref={list} aria-label="Messages, oldest first" aria-live="polite">
        {ordered.map((message) => (
          <li key={message.id} class={message.fromMe ? 'message mine' : 'message theirs'}>
            <span class="sr-only">{message.fromMe ? 'You' : label(message.fromJid ?? jid)}: </span>
            <span class="text">{messageText(message.content) ?? `[${message.messageType.toLowerCase()}]`}</span>
            <span class="meta">
              {formatTime(message.timestamp)}
              {message.fromMe && ` · ${message.status.toLowerCase()}`}
            </span>
          </li>
        ))}
      </ol>
      <SendBox sessionId={sessionId} to={jid} onSent={messages.reload} />
    </>
  );
}

function SendBox({ sessionId, to, onSent }: { sessionId: string; to: string; onSent: () => void }) {
  const [text, setText] = useState('');
  const { busy, error, run } = useAction();
  const send = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (await run(() => api('POST', seg`/sessions/${sessionId}/messages`, { to, type: 'text', text }))) {
      setText('');
      onSent();
    }
  };
  return (
    <form class="send card" onSubmit={send}>
      <label for="send-text">Your message</label>
      <textarea
        id="send-text"
        name="text"
        rows={2}
        required
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
        }}
        aria-describedby="send-hint"
      />
      <small id="send-hint" class="hint">
        Ctrl+Enter sends.
      </small>
      <ErrorNote message={error} />
      <button type="submit" disabled={busy}>
        {busy ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}

export const chatPage: DashboardPage = { path: 'sessions/:sessionId/chats/:jid', component: ChatPage };
