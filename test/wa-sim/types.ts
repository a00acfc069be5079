/** Logger shape shared with Baileys (pino-compatible). */
export interface SimLogger {
  level: string;
  child(obj: Record<string, unknown>): SimLogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** A control-API error carrying its HTTP status. */
export class ControlError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 500 | 503,
    message: string,
  ) {
    super(message);
  }
}

export interface AccountInfo {
  phone: string;
  /** phone-number jid, e.g. 15550001111@s.whatsapp.net */
  jid: string;
  /** the account's stable LID jid, e.g. 123456789012345@lid */
  lid: string;
}

export interface DeviceInfo {
  id: number;
  jid: string;
  lid: string;
  hosted: boolean;
  platform: string;
  connected: boolean;
  preKeys: number;
  queued: number;
}

export interface AccountDetails extends AccountInfo {
  name: string;
  devices: DeviceInfo[];
}

export interface LinkResult {
  /** the new device's phone-number jid, e.g. 15550001111:2@s.whatsapp.net */
  jid: string;
  lid: string;
  deviceId: number;
}

/** What an account's own (hosted) device received and decrypted, one entry per message. */
export interface InboxEntry {
  id: string;
  /** sender's phone-number jid (the account itself when fromMe) */
  from: string;
  /** sender's LID jid */
  fromLid?: string;
  /** chat: the peer's phone-number jid for 1:1 chats, the group jid for groups */
  chat: string;
  fromMe: boolean;
  /** text | image | video | audio | document | sticker | location | contact | contacts | reaction | poll | pollVote | edit | revoke | protocol | other */
  type: string;
  text?: string;
  caption?: string;
  quotedId?: string;
  mimetype?: string;
  fileName?: string;
  fileLength?: number;
  hasMedia?: boolean;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { displayName?: string; vcard?: string }[];
  reaction?: { targetId: string; emoji: string };
  poll?: { name: string; options: string[]; selectableCount: number };
  pollVote?: { targetId: string; selectedOptions: string[] };
  /** for edit and revoke entries: the message they change */
  targetId?: string;
  /** set on the original entry once an edit arrives */
  editedText?: string;
  /** set on the original entry once it is revoked */
  revoked?: boolean;
  /** reactions received for this entry, by sender phone jid */
  reactions?: Record<string, string>;
  timestamp: number;
  /** when the hosted device had decrypted it and recorded it here (Date.now(), ms) */
  receivedAt: number;
  pushName?: string;
  /** 'notify' for live delivery, 'append' for offline/history */
  upsertType: string;
  /** the decrypted proto.Message, as JSON */
  message?: unknown;
}

export interface SendRequest {
  /** phone number (digits, "+…" or PN jid), LID jid or group jid */
  to: string;
  text?: string;
  image?: string;
  video?: string;
  audio?: string;
  document?: string;
  sticker?: string;
  mimetype?: string;
  fileName?: string;
  caption?: string;
  quotedId?: string;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contact?: { displayName: string; vcard: string };
  react?: { id: string; emoji: string };
  poll?: { name: string; options: string[]; selectableCount?: number };
  edit?: { id: string; text: string };
  delete?: string;
  /** the WhatsApp id to send under (default: a fresh one) */
  messageId?: string;
}

export interface HistoryRequest {
  chats: number;
  messagesPerChat: number;
  /** messages per history-sync chunk (default 5000) */
  chunkSize?: number;
  /** only this device id (default: every linked, non-hosted device of the account) */
  deviceId?: number;
}

export interface HistoryResult {
  chunks: number;
  chats: number;
  messages: number;
  devices: string[];
}
