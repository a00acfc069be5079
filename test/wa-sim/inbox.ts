import { createHash } from 'node:crypto';
import { decryptPollVote, getContentType, normalizeMessageContent, proto, toNumber } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { Directory } from './directory';
import { isGroupJid, parseUserJid, userJid } from './jid';
import type { InboxEntry } from './types';

const MEDIA_TYPES: Record<string, string> = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  stickerMessage: 'sticker',
};

/** What an account's hosted device received, decoded into assertion-friendly entries. */
export class Inbox {
  readonly entries: InboxEntry[] = [];
  private readonly byId = new Map<string, InboxEntry>();
  /** raw messages by id (received and sent), for media, quotes, reactions and read receipts */
  readonly raw = new Map<string, WAMessage>();

  constructor(
    private readonly directory: Directory,
    private readonly me: () => string,
  ) {}

  /** Remembers a message this device sent, for quotes, edits, polls and retry resends. */
  rememberSent(message: WAMessage): void {
    if (message.key.id) this.raw.set(message.key.id, message);
  }

  get(id: string): InboxEntry | undefined {
    return this.byId.get(id);
  }

  clear(): void {
    this.entries.length = 0;
    this.byId.clear();
  }

  record(message: WAMessage, upsertType: string): InboxEntry | undefined {
    const content = normalizeMessageContent(message.message);
    const id = message.key.id;
    if (!content || !id) return undefined;
    const protocol = content.protocolMessage;
    if (protocol && !isEditOrRevoke(protocol)) return undefined;
    if (content.senderKeyDistributionMessage && Object.keys(content).length === 1) return undefined;
    if (this.byId.has(id)) return this.byId.get(id);
    this.raw.set(id, message);
    const entry = this.describe(message, content, upsertType);
    this.entries.push(entry);
    this.byId.set(id, entry);
    this.applyToTarget(entry);
    return entry;
  }

  private describe(message: WAMessage, content: proto.IMessage, upsertType: string): InboxEntry {
    const key = message.key;
    const chatJid = key.remoteJid ?? '';
    const senderJid = key.fromMe ? this.me() : isGroupJid(chatJid) ? key.participant || '' : chatJid;
    const sender = this.directory.accountForJid(senderJid);
    const chatAccount = isGroupJid(chatJid) ? undefined : this.directory.accountForJid(chatJid);
    const entry: InboxEntry = {
      id: key.id!,
      from: sender ? userJid(sender.phone, 'pn') : senderJid,
      fromLid: sender ? userJid(sender.lid, 'lid') : undefined,
      chat: chatAccount ? userJid(chatAccount.phone, 'pn') : chatJid,
      fromMe: !!key.fromMe,
      type: 'other',
      timestamp: toNumber(message.messageTimestamp ?? 0),
      receivedAt: Date.now(),
      pushName: message.pushName ?? undefined,
      upsertType,
      message: proto.Message.toObject(proto.Message.fromObject(content), { longs: Number, bytes: String }),
    };
    const type = getContentType(content);
    const contextInfo = type ? (content[type] as { contextInfo?: proto.IContextInfo } | undefined)?.contextInfo : undefined;
    if (contextInfo?.stanzaId) entry.quotedId = contextInfo.stanzaId;
    if (content.conversation || content.extendedTextMessage) {
      entry.type = 'text';
      entry.text = content.conversation ?? content.extendedTextMessage?.text ?? '';
    } else if (type && MEDIA_TYPES[type]) {
      const media = content[type] as proto.Message.IImageMessage & proto.Message.IDocumentMessage;
      entry.type = MEDIA_TYPES[type]!;
      entry.hasMedia = true;
      entry.caption = media.caption ?? undefined;
      entry.mimetype = media.mimetype ?? undefined;
      entry.fileName = media.fileName ?? undefined;
      entry.fileLength = media.fileLength ? toNumber(media.fileLength) : undefined;
    } else if (content.locationMessage || content.liveLocationMessage) {
      const loc = content.locationMessage ?? content.liveLocationMessage!;
      entry.type = 'location';
      entry.location = {
        latitude: loc.degreesLatitude ?? 0,
        longitude: loc.degreesLongitude ?? 0,
        name: (loc as proto.Message.ILocationMessage).name ?? undefined,
        address: (loc as proto.Message.ILocationMessage).address ?? undefined,
      };
    } else if (content.contactMessage) {
      entry.type = 'contact';
      entry.contacts = [{ displayName: content.contactMessage.displayName ?? undefined, vcard: content.contactMessage.vcard ?? undefined }];
    } else if (content.contactsArrayMessage) {
      entry.type = 'contacts';
      entry.contacts = (content.contactsArrayMessage.contacts ?? []).map((c) => ({
        displayName: c.displayName ?? undefined,
        vcard: c.vcard ?? undefined,
      }));
    } else if (content.reactionMessage) {
      entry.type = 'reaction';
      entry.reaction = { targetId: content.reactionMessage.key?.id ?? '', emoji: content.reactionMessage.text ?? '' };
      entry.targetId = entry.reaction.targetId;
    } else if (content.pollCreationMessage || content.pollCreationMessageV2 || content.pollCreationMessageV3) {
      const poll = (content.pollCreationMessage ?? content.pollCreationMessageV2 ?? content.pollCreationMessageV3)!;
      entry.type = 'poll';
      entry.poll = {
        name: poll.name ?? '',
        options: (poll.options ?? []).map((o) => o.optionName ?? ''),
        selectableCount: poll.selectableOptionsCount ?? 0,
      };
    } else if (content.pollUpdateMessage) {
      entry.type = 'pollVote';
      entry.targetId = content.pollUpdateMessage.pollCreationMessageKey?.id ?? undefined;
      entry.pollVote = { targetId: entry.targetId ?? '', selectedOptions: this.decryptVote(message, content.pollUpdateMessage) };
    } else if (content.protocolMessage?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT) {
      const edited = normalizeMessageContent(content.protocolMessage.editedMessage);
      entry.type = 'edit';
      entry.targetId = content.protocolMessage.key?.id ?? undefined;
      entry.text = edited?.conversation ?? edited?.extendedTextMessage?.text ?? undefined;
    } else if (content.protocolMessage?.type === proto.Message.ProtocolMessage.Type.REVOKE) {
      entry.type = 'revoke';
      entry.targetId = content.protocolMessage.key?.id ?? undefined;
    }
    return entry;
  }

  private applyToTarget(entry: InboxEntry) {
    const target = entry.targetId ? this.byId.get(entry.targetId) : undefined;
    if (!target) return;
    if (entry.type === 'edit') target.editedText = entry.text;
    if (entry.type === 'revoke') target.revoked = true;
    if (entry.type === 'reaction' && entry.reaction) {
      target.reactions = { ...target.reactions, [entry.from]: entry.reaction.emoji };
      if (!entry.reaction.emoji) delete target.reactions[entry.from];
    }
  }

  /** Poll votes are encrypted with the poll's secret; try the PN and LID forms of creator and voter. */
  private decryptVote(message: WAMessage, update: proto.Message.IPollUpdateMessage): string[] {
    const pollKey = update.pollCreationMessageKey;
    const poll = pollKey?.id ? this.raw.get(pollKey.id) : undefined;
    const secret = poll?.message?.messageContextInfo?.messageSecret;
    const pollContent = normalizeMessageContent(poll?.message);
    const options = (pollContent?.pollCreationMessage ?? pollContent?.pollCreationMessageV2 ?? pollContent?.pollCreationMessageV3)?.options;
    if (!poll || !secret || !update.vote || !options) return [];
    const forms = (jid: string | undefined | null) => {
      const account = this.directory.accountForJid(jid ?? undefined);
      return account ? [userJid(account.phone, 'pn'), userJid(account.lid, 'lid')] : jid ? [jid] : [];
    };
    // Baileys leaves `participant` as '' on 1:1 messages
    const creatorJid = poll.key.fromMe ? this.me() : poll.key.participant || poll.key.remoteJid;
    const voterJid = message.key.fromMe ? this.me() : message.key.participant || message.key.remoteJid;
    for (const pollCreatorJid of forms(creatorJid)) {
      for (const voter of forms(voterJid)) {
        try {
          const vote = decryptPollVote(update.vote, { pollCreatorJid, pollMsgId: poll.key.id!, pollEncKey: secret, voterJid: voter });
          const hashes = (vote.selectedOptions ?? []).map((o) => Buffer.from(o).toString('hex'));
          return options.map((o) => o.optionName ?? '').filter((name) => hashes.includes(createHash('sha256').update(name).digest('hex')));
        } catch {
          // wrong jid form, try the next
        }
      }
    }
    return [];
  }
}

function isEditOrRevoke(protocol: proto.Message.IProtocolMessage): boolean {
  return protocol.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT || protocol.type === proto.Message.ProtocolMessage.Type.REVOKE;
}

export function sameUser(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && parseUserJid(a)?.user === parseUserJid(b)?.user;
}
