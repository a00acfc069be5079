import type { BaileysEventMap } from '@whiskeysockets/baileys';
import type { CallPayload, PresencePayload } from '../../events/catalogue';
import { normalizeJid } from '../jids';
import type { MappingContext } from './context';
import { isoFromSeconds } from './values';

/** `presence.update` → its event payload (presence is not stored). */
export function presencePayload(update: BaileysEventMap['presence.update'], ctx: MappingContext): PresencePayload {
  return {
    chatJid: ctx.lids.preferPhone(normalizeJid(update.id)),
    presences: Object.entries(update.presences ?? {}).map(([jid, data]) => {
      const lastSeen = isoFromSeconds(data.lastSeen);
      return { jid: ctx.lids.preferPhone(normalizeJid(jid)), presence: data.lastKnownPresence, ...(lastSeen ? { lastSeen } : {}) };
    }),
  };
}

/** `call` → its event payload (calls are not stored). */
export function callPayload(calls: BaileysEventMap['call'], ctx: MappingContext): CallPayload {
  return {
    calls: calls.map((call) => {
      const from = call.callerPn ?? ctx.lids.preferPhone(normalizeJid(call.from));
      return {
        callId: call.id,
        chatJid: ctx.lids.preferPhone(normalizeJid(call.chatId)),
        from: normalizeJid(from),
        ...(call.groupJid ? { groupJid: normalizeJid(call.groupJid) } : {}),
        isGroup: !!call.isGroup,
        isVideo: !!call.isVideo,
        status: call.status,
        offline: !!call.offline,
        at: (call.date instanceof Date ? call.date : new Date(call.date ?? Date.now())).toISOString(),
      };
    }),
  };
}
