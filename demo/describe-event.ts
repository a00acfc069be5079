import type { WebhookEvent } from './receiver';

const MAX_LINE = 160;

/** A phone number for a JID, or the JID itself when it is not a person. */
const who = (jid: string | null | undefined): string => (jid ? jid.replace(/@s\.whatsapp\.net$/, '').replace(/^(\d+)$/, '+$1') : '?');

function clip(text: string): string {
  return text.length > MAX_LINE ? `${text.slice(0, MAX_LINE - 1)}…` : text;
}

/** One readable line per webhook event; the events a demo user watches for get their own wording. */
export function describeEvent(event: WebhookEvent): string {
  const data = event.data ?? {};
  switch (event.event) {
    case 'messages.upsert': {
      const m = data.message ?? {};
      const what = m.text !== null && m.text !== undefined ? JSON.stringify(m.text) : `(${String(m.type).toLowerCase()})`;
      return m.fromMe
        ? `message sent to ${who(m.chatId)}: ${clip(what)}`
        : `message from ${m.pushName ?? who(m.from)} (${who(m.from)}): ${clip(what)}`;
    }
    case 'message.receipt':
      return `receipt: ${who(data.recipient)} ${String(data.status).toLowerCase()} message ${data.messageId}`;
    case 'session.status':
      return `session ${event.sessionId}: ${data.status}${data.phoneNumber ? ` (+${data.phoneNumber})` : ''}`;
    case 'session.qr':
      return `session ${event.sessionId}: waiting for a QR scan`;
    default:
      return clip(`${event.event} ${JSON.stringify(data)}`);
  }
}
