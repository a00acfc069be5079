import type { BinaryNode } from '@whiskeysockets/baileys';
import { handleAppStateIq } from './app-state';
import type { ClientConnection, ConnectionHooks } from './connection';
import type { IqHandler, SimContext } from './context';
import { handleGroupIq } from './groups';
import {
  handleAcknowledgeOnly,
  handleBlocklistIq,
  handleBusinessIq,
  handleMdIq,
  handleMediaConn,
  handlePing,
  handlePrivacyIq,
  handleProfilePictureIq,
  handleProps,
  handleStatusIq,
} from './iq-account';
import { handleEncryptIq } from './iq-keys';
import { handleUsyncIq } from './iq-usync';
import { handleClientPayload, handlePassiveIq } from './login';
import { iqError } from './stanza';

const IQ_HANDLERS: Record<string, IqHandler> = {
  'w:p': handlePing,
  md: handleMdIq,
  encrypt: handleEncryptIq,
  passive: handlePassiveIq,
  usync: handleUsyncIq,
  abt: handleProps,
  blocklist: handleBlocklistIq,
  privacy: handlePrivacyIq,
  'w:sync:app:state': handleAppStateIq,
  'w:m': handleMediaConn,
  'w:g2': handleGroupIq,
  status: handleStatusIq,
  'w:profile:picture': handleProfilePictureIq,
  'w:biz': handleBusinessIq,
  'w:stats': handleAcknowledgeOnly,
  'urn:xmpp:whatsapp:dirty': handleAcknowledgeOnly,
  disappearing_mode: handleAcknowledgeOnly,
};

/** Stanzas an unpaired client may send while it waits to be linked. */
const UNPAIRED_IQS = new Set(['w:p', 'md']);

export function connectionHooks(ctx: SimContext): ConnectionHooks {
  return {
    onClientPayload: (conn, payload) => handleClientPayload(ctx, conn, payload),
    onStanza: async (conn, stanza) => {
      try {
        await routeStanza(ctx, conn, stanza);
      } catch (err) {
        // a stanza we cannot handle is logged and dropped; the connection stays up
        ctx.core.logger.warn({ err, tag: stanza.tag, attrs: stanza.attrs }, 'failed to handle stanza');
      }
    },
    onClose: (conn) => {
      ctx.core.connections.delete(conn);
      ctx.pairing.forget(conn);
      if (ctx.core.detach(conn)) ctx.presence.onDeviceGone(conn.ref!);
    },
  };
}

async function routeStanza(ctx: SimContext, conn: ClientConnection, stanza: BinaryNode): Promise<void> {
  if (stanza.tag === 'iq') return routeIq(ctx, conn, stanza);
  if (stanza.tag === 'ack') {
    conn.settle(stanza.attrs.class ?? '', stanza.attrs.id);
    return;
  }
  if (!conn.ref) return;
  switch (stanza.tag) {
    case 'message':
      return ctx.relay.onMessage(conn, stanza);
    case 'receipt':
      return ctx.receipts.onReceipt(conn, stanza);
    case 'presence':
      return ctx.presence.onPresence(conn, stanza);
    case 'chatstate':
      return ctx.presence.onChatstate(conn, stanza);
    case 'call':
      conn.send({ tag: 'ack', attrs: { id: stanza.attrs.id ?? '', class: 'call', from: stanza.attrs.to ?? '' } });
      return;
    default:
      return;
  }
}

async function routeIq(ctx: SimContext, conn: ClientConnection, iq: BinaryNode): Promise<void> {
  const xmlns = iq.attrs.xmlns ?? '';
  const handler = IQ_HANDLERS[xmlns];
  let reply: BinaryNode | undefined;
  if (!conn.ref && !UNPAIRED_IQS.has(xmlns)) {
    reply = iqError(iq, 401, 'not-authorized');
  } else if (!handler) {
    reply = iqError(iq, 501, 'feature-not-implemented');
  } else {
    try {
      reply = await handler(ctx, conn, iq);
    } catch (err) {
      ctx.core.logger.warn({ err, xmlns }, 'iq handler failed');
      reply = iqError(iq, 500, 'internal-server-error');
    }
  }
  if (reply) conn.send(reply);
}
