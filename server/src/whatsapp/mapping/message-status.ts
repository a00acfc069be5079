import { proto } from '@whiskeysockets/baileys';
import { MESSAGE_STATUSES, type MessageStatus } from '../../db/database';

const STATUS_BY_WA: Readonly<Record<number, MessageStatus>> = {
  0: 'FAILED',
  1: 'PENDING',
  2: 'SENT',
  3: 'DELIVERED',
  4: 'READ',
  5: 'READ',
};

/** The later of two statuses in the schema's ENUM order PENDING < SENT < DELIVERED < READ < FAILED. */
export function maxStatus(a: MessageStatus, b: MessageStatus): MessageStatus {
  return MESSAGE_STATUSES.indexOf(a) >= MESSAGE_STATUSES.indexOf(b) ? a : b;
}

export function isStatusAfter(candidate: MessageStatus, current: MessageStatus): boolean {
  return MESSAGE_STATUSES.indexOf(candidate) > MESSAGE_STATUSES.indexOf(current);
}

/** Baileys' WAMessageStatus (number or enum name) → MessageStatus (PLAYED counts as READ); undefined when absent or unknown. */
export function statusFromWhatsApp(status: number | string | null | undefined): MessageStatus | undefined {
  if (status === null || status === undefined) return undefined;
  const value = typeof status === 'string' ? proto.WebMessageInfo.Status[status as keyof typeof proto.WebMessageInfo.Status] : status;
  return STATUS_BY_WA[value as number];
}

const REFUSAL_REASONS: Record<string, string> = {
  '403': 'not allowed to send in this chat (not a member, or only admins may send)',
  '404': 'the chat does not exist',
  '406': 'the message is not acceptable',
  '463': 'the account is restricted from starting new chats',
  '479': 'the message was rejected as malformed',
};

/** What Message.metadata records of a message WhatsApp refused (an error ack with this code). */
export function refusal(code: string): { error: string; errorCode: string } {
  return { error: `WhatsApp refused the message: ${REFUSAL_REASONS[code] ?? 'no reason given'} (${code})`, errorCode: code };
}
