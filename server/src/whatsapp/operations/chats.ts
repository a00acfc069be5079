import { chatModificationToAppPatch } from '@whiskeysockets/baileys';
import type { BaileysEventMap, ChatModification, MinimalMessage, WAPatchCreate } from '@whiskeysockets/baileys';
import { isGroupJid, isLidJid, isPhoneJid, normalizeJid } from '../jids';
import type { WASocket } from '../socket-factory';

/** A chat setting WhatsApp keeps in the account's app state, which every device of the account follows. */
export type ChatChange =
  | { kind: 'archive'; archived: boolean }
  | { kind: 'pin'; pinned: boolean }
  /** `until` null unmutes. */
  | { kind: 'mute'; until: Date | 'forever' | null }
  | { kind: 'delete' };

/** The newest stored message of a chat: archive and delete patches name the messages they cover. */
export interface LastMessage {
  messageId: string;
  fromMe: boolean;
  fromJid: string | null;
  timestamp: Date;
}

/** WhatsApp's mute end for "until I unmute". */
const MUTED_FOREVER = -1;
const CONFLICT = 409;

/**
 * Uploads the change as an app-state patch (WhatsApp hands it to the account's other devices, which
 * resync and apply it) and returns what it means as the Baileys events those devices see, for the
 * session's ingest. Values match the ones Baileys reports for its own patch (pin time included), so
 * storing both changes nothing twice.
 */
export async function changeChat(
  socket: WASocket,
  jid: string,
  change: ChatChange,
  last: LastMessage | undefined,
): Promise<Partial<BaileysEventMap>> {
  const patch = chatModificationToAppPatch(modificationOf(jid, change, last), jid);
  await uploadPatch(socket, patch);
  switch (change.kind) {
    case 'archive':
      return { 'chats.update': [{ id: jid, archived: change.archived }] };
    case 'pin':
      return { 'chats.update': [{ id: jid, pinned: change.pinned ? Number(patch.syncAction.timestamp) : null }] };
    case 'mute':
      return { 'chats.update': [{ id: jid, muteEndTime: muteEndOf(change.until) }] };
    case 'delete':
      return { 'chats.delete': [jid] };
  }
}

/**
 * WhatsApp refuses a patch made against an outdated copy of the collection (409: another device of the
 * account changed it in between). Baileys saves nothing then and resyncs before every upload, so one
 * more try is made against the fresh state.
 */
async function uploadPatch(socket: WASocket, patch: WAPatchCreate): Promise<void> {
  try {
    await socket.appPatch(patch);
  } catch (error) {
    if ((error as { data?: unknown })?.data !== CONFLICT) throw error;
    await socket.appPatch(patch);
  }
}

function modificationOf(jid: string, change: ChatChange, last: LastMessage | undefined): ChatModification {
  switch (change.kind) {
    case 'archive':
      return { archive: change.archived, lastMessages: lastMessagesOf(jid, last) };
    case 'pin':
      return { pin: change.pinned };
    case 'mute':
      return { mute: muteEndOf(change.until) };
    case 'delete':
      return { delete: true, lastMessages: lastMessagesOf(jid, last) };
  }
}

function muteEndOf(until: Date | 'forever' | null): number | null {
  if (until === null) return null;
  return until === 'forever' ? MUTED_FOREVER : until.getTime();
}

/**
 * The message range WhatsApp Web sends with archive and delete: the chat's last message. Devices use it
 * only to compare with newer messages; without a usable message the range is empty.
 */
function lastMessagesOf(jid: string, last: LastMessage | undefined): MinimalMessage[] {
  const seconds = last ? Math.floor(last.timestamp.getTime() / 1000) : 0;
  if (!last || seconds <= 0) return [];
  const participant = isGroupJid(jid) && !last.fromMe ? last.fromJid : undefined;
  if (isGroupJid(jid) && !last.fromMe && !participant) return [];
  return [
    {
      key: { remoteJid: jid, id: last.messageId, fromMe: last.fromMe, ...(participant ? { participant } : {}) },
      messageTimestamp: seconds,
    },
  ];
}

/** The chat's other address (phone-number JID for a LID, LID for a phone-number JID) when Baileys knows it. */
export async function otherAddressOf(socket: WASocket, jid: string): Promise<string | undefined> {
  const mapping = socket.signalRepository.lidMapping;
  try {
    const other = isLidJid(jid) ? await mapping.getPNForLID(jid) : isPhoneJid(jid) ? await mapping.getLIDForPN(jid) : undefined;
    return other ? normalizeJid(other) : undefined;
  } catch {
    return undefined;
  }
}
