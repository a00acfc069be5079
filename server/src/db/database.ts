import type { ColumnType, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

export const ROLES = ['USER', 'ADMIN'] as const;
export const SESSION_STATUSES = ['CONNECTING', 'CONNECTED', 'DISCONNECTED', 'QR_REQUIRED', 'PAIRING_REQUIRED', 'ERROR'] as const;
export const MESSAGE_TYPES = [
  'TEXT',
  'IMAGE',
  'VIDEO',
  'AUDIO',
  'DOCUMENT',
  'STICKER',
  'LOCATION',
  'CONTACT',
  'POLL',
  'REACTION',
  'BUTTON_REPLY',
  'LIST_REPLY',
] as const;
export const MESSAGE_STATUSES = ['PENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED'] as const;
export const WEBHOOK_STATUSES = ['PENDING', 'SUCCESS', 'FAILED', 'RETRYING'] as const;

export type Role = (typeof ROLES)[number];
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** JSON columns: written as serialized text, read back as parsed values (mysql2 parses JSON on MySQL; MariaDB needs the typeCast in connection.ts). */
export type Json = ColumnType<unknown, string, string>;
export type NullableJson = ColumnType<unknown | null, string | null, string | null>;
type CreatedAt = ColumnType<Date, never, never>;
type UpdatedAt = ColumnType<Date, never, Date>;
type Flag = ColumnType<boolean, boolean | undefined, boolean>;

export interface UserTable {
  id: string;
  email: string;
  name: string | null;
  password: string;
  apiKey: string;
  isActive: Flag;
  role: ColumnType<Role, Role | undefined, Role>;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
}

export interface SessionTable {
  id: string;
  sessionId: string;
  phoneNumber: string | null;
  name: string | null;
  status: ColumnType<SessionStatus, SessionStatus | undefined, SessionStatus>;
  qrCode: string | null;
  pairingCode: string | null;
  lastSeen: Date | null;
  isActive: Flag;
  authData: NullableJson;
  metadata: NullableJson;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  userId: string;
  workflowId: string | null;
}

export interface MessageTable {
  id: string;
  messageId: string;
  chatId: string;
  fromMe: boolean;
  fromJid: string | null;
  toJid: string;
  messageType: MessageType;
  content: Json;
  status: ColumnType<MessageStatus, MessageStatus | undefined, MessageStatus>;
  timestamp: Date;
  quotedMessage: string | null;
  metadata: NullableJson;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  sessionId: string;
}

export interface ChatTable {
  id: string;
  jid: string;
  name: string | null;
  isGroup: Flag;
  isArchived: Flag;
  isPinned: Flag;
  isMuted: Flag;
  unreadCount: ColumnType<number, number | undefined, number>;
  lastMessage: NullableJson;
  metadata: NullableJson;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  sessionId: string;
}

export interface ContactTable {
  id: string;
  jid: string;
  name: string | null;
  pushName: string | null;
  profilePicUrl: string | null;
  isBlocked: Flag;
  metadata: NullableJson;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  sessionId: string;
}

export interface GroupTable {
  id: string;
  jid: string;
  subject: string | null;
  description: string | null;
  owner: string | null;
  participants: NullableJson;
  settings: NullableJson;
  metadata: NullableJson;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  sessionId: string;
}

export interface WebhookTable {
  id: string;
  url: string;
  event: string;
  secret: string | null;
  isActive: Flag;
  retries: ColumnType<number, number | undefined, number>;
  maxRetries: ColumnType<number, number | undefined, number>;
  lastError: string | null;
  metadata: NullableJson;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  userId: string;
}

export interface WebhookDeliveryTable {
  id: string;
  event: string;
  payload: Json;
  status: ColumnType<WebhookStatus, WebhookStatus | undefined, WebhookStatus>;
  response: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  nextRetry: Date | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  webhookId: string;
}

export interface ApiUsageTable {
  id: string;
  endpoint: string;
  method: string;
  status: number;
  duration: number;
  timestamp: ColumnType<Date, Date | undefined, never>;
  userId: string;
}

/** Helper table (not in the schema document): one Signal key of one WhatsApp session. */
export interface SessionKeyTable {
  sessionId: string;
  type: string;
  keyId: string;
  value: string;
  updatedAt: ColumnType<Date, never, Date>;
}

/** Helper table: routing and rotation state of a webhook that the Webhook table has no column for. */
export interface WebhookSettingsTable {
  webhookId: string;
  workflowId: string | null;
  /** User-facing Session.sessionId values; null means every session. */
  sessionIds: NullableJson;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** Helper table: one HTTP attempt of a webhook delivery. */
export interface WebhookDeliveryAttemptTable {
  id: string;
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  requestHeaders: Json;
}

/** Helper table: the last event sequence number handed out for a session. */
export interface SessionEventSequenceTable {
  sessionId: string;
  lastSequence: ColumnType<number, number, number>;
}

/** Helper table: the version login tokens must carry (issue 10); no row means 0. */
export interface UserTokenVersionTable {
  userId: string;
  version: number;
}

/** Helper table: one running gateway process and its heartbeat (issue 11). */
export interface GatewayProcessTable {
  id: string;
  /** Where the other processes reach its internal routes; null when it does not listen. */
  address: string | null;
  startedAt: Date;
  heartbeatAt: Date;
  /** Set when it began handing its sessions over for a shutdown. */
  stoppingAt: Date | null;
}

/** Helper table: which process runs a session, under which fencing epoch; live while its owner beats (issue 11). */
export interface SessionLeaseTable {
  sessionId: string;
  ownerId: string | null;
  epoch: ColumnType<number, number | undefined, number>;
}

/** Helper table: a secret every process shares, generated once when the environment gives none. */
export interface GatewaySecretTable {
  name: string;
  value: string;
  createdAt: CreatedAt;
}

export const CONFLICT_KINDS = ['MESSAGE', 'EDIT', 'REVOKE'] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** Helper table (issue 10): a message whose id another chat, direction or sender already holds, or a refused edit or revoke. */
export interface MessageConflictTable {
  id: string;
  sessionId: string;
  kind: ConflictKind;
  messageId: string;
  chatId: string;
  fromMe: boolean;
  /** '' when unknown. */
  fromJid: string;
  content: Json;
  timestamp: Date;
  metadata: NullableJson;
  createdAt: CreatedAt;
}

export const SEND_STATUSES = ['QUEUED', 'SENDING', 'SENT', 'FAILED', 'CANCELLED'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/** Helper table: how fast a session's queued messages go out (issue 11); no row means the configured defaults. */
export interface SessionPacingTable {
  sessionId: string;
  paceSingleSends: boolean;
  messagesPerMinute: number;
  jitterMs: number;
  typingMs: number;
  dailyCap: number;
  updatedAt: ColumnType<Date, never, Date>;
}

/** Helper table: one bulk send, one content (`template`, JSON) for `total` recipients. */
export interface SendBulkJobTable {
  id: string;
  sessionId: string;
  userId: string;
  template: string;
  total: number;
  cancelledAt: Date | null;
  createdAt: CreatedAt;
}

/** Helper table: one accepted send, written before it is sent (issue 11). */
export interface SendQueueTable {
  id: string;
  sessionId: string;
  userId: string;
  messageId: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** JSON: what to send (see send-queue/queued-request.ts). */
  request: string;
  paced: boolean;
  status: SendStatus;
  attempts: ColumnType<number, number | undefined, number>;
  leaseUntil: Date | null;
  error: string | null;
  errorStatus: number | null;
  bulkJobId: string | null;
  bulkIndex: number | null;
  createdAt: CreatedAt;
  updatedAt: UpdatedAt;
  sentAt: Date | null;
}

export interface Database {
  User: UserTable;
  Session: SessionTable;
  Message: MessageTable;
  Chat: ChatTable;
  Contact: ContactTable;
  Group: GroupTable;
  Webhook: WebhookTable;
  WebhookDelivery: WebhookDeliveryTable;
  ApiUsage: ApiUsageTable;
  SessionKey: SessionKeyTable;
  WebhookSettings: WebhookSettingsTable;
  WebhookDeliveryAttempt: WebhookDeliveryAttemptTable;
  SessionEventSequence: SessionEventSequenceTable;
  UserTokenVersion: UserTokenVersionTable;
  GatewayProcess: GatewayProcessTable;
  SessionLease: SessionLeaseTable;
  GatewaySecret: GatewaySecretTable;
  MessageConflict: MessageConflictTable;
  SessionPacing: SessionPacingTable;
  SendBulkJob: SendBulkJobTable;
  SendQueue: SendQueueTable;
}

/** What repositories take: the pool or an open transaction. */
export type Queryable = Kysely<Database> | Transaction<Database>;
export type Db = Kysely<Database>;

export type User = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type UserUpdate = Updateable<UserTable>;
export type ApiUsage = Insertable<ApiUsageTable>;
export type Session = Selectable<SessionTable>;
export type SessionUpdate = Updateable<SessionTable>;
