import type { ComponentChildren, InputHTMLAttributes } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** The page's heading and the window's title; takes the focus when the page opens, so screen readers announce the new page. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    document.title = `${heading.current?.textContent ?? ''} · WhatsApp gateway`;
  });
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

/** An error the user should read; announced by screen readers as it appears. */
export function ErrorNote({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

type FieldProps = { label: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>;

/** A labelled input; the hint is tied to it with aria-describedby. */
export function Field({ label, hint, id, ...input }: FieldProps) {
  const inputId = id ?? `field-${String(input.name)}`;
  return (
    <div class="field">
      <label for={inputId}>{label}</label>
      <input id={inputId} aria-describedby={hint ? `${inputId}-hint` : undefined} {...input} />
      {hint && (
        <small id={`${inputId}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

const STATUS_TEXT: Record<string, string> = {
  CONNECTED: 'Connected',
  CONNECTING: 'Connecting',
  QR_REQUIRED: 'Waiting for QR scan',
  PAIRING_REQUIRED: 'Waiting for pairing code',
  DISCONNECTED: 'Disconnected',
  ERROR: 'Error',
};

export function SessionStatus({ status }: { status: string }) {
  return <span class={`status status-${status.toLowerCase()}`}>{STATUS_TEXT[status] ?? status}</span>;
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
}

/** `123@s.whatsapp.net` → `+123`; group and other JIDs as they are. */
export function jidLabel(jid: string): string {
  const match = /^(\d+)@s\.whatsapp\.net$/.exec(jid);
  return match ? `+${match[1]}` : jid;
}
