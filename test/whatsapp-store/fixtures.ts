import { proto, type BaileysEventMap, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { loadConfig } from '../../server/src/config';
import type { Db } from '../../server/src/db/database';
import { newId } from '../../server/src/db/ids';
import type { DomainEvent, DomainEventOf, DomainEventType } from '../../server/src/events/catalogue';
import { openMigratedDatabase } from '../../server/src/server';
import { ingestEvents, type IngestContext } from '../../server/src/whatsapp/ingest';
import { LidMap } from '../../server/src/whatsapp/jids';
import { testDatabase } from '../helpers/database';

export const ME = { id: '15550000001:7@s.whatsapp.net', lid: '900000000001:7@lid' };
export const ME_PN = '15550000001@s.whatsapp.net';
export const ALICE = '15550000002@s.whatsapp.net';
export const ALICE_LID = '900000000002@lid';
export const BOB = '15550000003@s.whatsapp.net';
export const BOB_LID = '900000000003@lid';
export const GROUP = '120363000000000001@g.us';

/** Counts the statements Kysely sends. */
export class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.count++;
    return args.result;
  }
}

export interface StoreFixture {
  db: Db;
  sessionRowId: string;
  lids: LidMap;
  ctx(overrides?: Partial<IngestContext>): IngestContext;
  /** One batch in one transaction; counts its statements. */
  ingest(
    events: Partial<BaileysEventMap>,
    overrides?: Partial<IngestContext>,
    sessionRowId?: string,
  ): Promise<{ events: DomainEvent[]; statements: number }>;
  /** A second session in the same database, to prove scoping. */
  addSession(): Promise<string>;
  close(): Promise<void>;
}

export async function openStore(label: string): Promise<StoreFixture> {
  const database = testDatabase(label);
  const db = await openMigratedDatabase(loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '3' }));
  const userId = newId();
  await db
    .insertInto('User')
    .values({ id: userId, email: `${userId}@test.local`, password: 'x', apiKey: userId })
    .execute();
  const addSession = async () => {
    const id = newId();
    await db
      .insertInto('Session')
      .values({ id, sessionId: `s-${id}`, userId })
      .execute();
    return id;
  };
  const sessionRowId = await addSession();
  const lids = new LidMap();
  const ctx = (overrides: Partial<IngestContext> = {}): IngestContext => ({
    me: ME,
    lids,
    historyCutoff: { maxAgeDays: 3650, maxMessagesPerChat: 100_000 },
    ...overrides,
  });
  return {
    db,
    sessionRowId,
    lids,
    ctx,
    addSession,
    async ingest(events, overrides = {}, sessionId = sessionRowId) {
      const counter = new StatementCounter();
      const result = await db
        .withPlugin(counter)
        .transaction()
        .execute((trx) => ingestEvents(trx, sessionId, events, ctx(overrides)));
      return { events: result, statements: counter.count };
    },
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}

export function eventsOf<T extends DomainEventType>(events: DomainEvent[], type: T): DomainEventOf<T>[] {
  return events.filter((event) => event.type === type) as unknown as DomainEventOf<T>[];
}

let sequence = 0;
export const messageId = (prefix = 'M') => `${prefix}${(++sequence).toString(16).toUpperCase().padStart(14, '0')}`;

export interface MessageSpec {
  id?: string;
  remoteJid: string;
  fromMe?: boolean;
  participant?: string;
  remoteJidAlt?: string;
  participantAlt?: string;
  message?: proto.IMessage | null;
  timestamp?: number;
  status?: number;
  pushName?: string;
  messageStubType?: number;
}

/** A WAMessage as Baileys emits it (the key carries fields proto.MessageKey has not, so it stays a plain object). */
export function waMessage(spec: MessageSpec): WAMessage {
  const key: WAMessageKey = {
    remoteJid: spec.remoteJid,
    fromMe: spec.fromMe ?? false,
    id: spec.id ?? messageId(),
    ...(spec.participant ? { participant: spec.participant } : {}),
    ...(spec.remoteJidAlt ? { remoteJidAlt: spec.remoteJidAlt } : {}),
    ...(spec.participantAlt ? { participantAlt: spec.participantAlt } : {}),
  };
  return {
    key,
    message: spec.message === undefined ? proto.Message.fromObject({ conversation: 'hello' }) : spec.message,
    messageTimestamp: spec.timestamp ?? 1_764_000_000,
    ...(spec.status !== undefined ? { status: spec.status } : {}),
    ...(spec.pushName ? { pushName: spec.pushName } : {}),
    ...(spec.messageStubType !== undefined ? { messageStubType: spec.messageStubType } : {}),
  };
}

export const text = (value: string): proto.IMessage => proto.Message.fromObject({ conversation: value });
