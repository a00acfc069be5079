import type { Insertable } from 'kysely';
import type { MessageConflictTable, Queryable } from '../../db/database';
import { newId } from '../../db/ids';
import { toJson } from '../../db/json';
import type { MessageContent } from '../mapping/message-content';
import { chunkBySize, incoming } from './batch';

/** A message or change set aside instead of touching the stored message with its id. */
export interface MessageConflict {
  kind: MessageConflictTable['kind'];
  messageId: string;
  chatId: string;
  fromMe: boolean;
  fromJid: string | null | undefined;
  content: MessageContent;
  timestamp: Date;
  metadata: object;
}

const rowBytes = (row: Insertable<MessageConflictTable>) => row.content.length + (row.metadata?.length ?? 0) + 300;

/** Keeps conflicts; one seen again in the same place replaces its earlier copy rather than counting twice. */
export async function setAsideConflicts(db: Queryable, sessionRowId: string, conflicts: readonly MessageConflict[]): Promise<void> {
  const rows = conflicts.map((conflict): Insertable<MessageConflictTable> => ({
    id: newId(),
    sessionId: sessionRowId,
    kind: conflict.kind,
    messageId: conflict.messageId,
    chatId: conflict.chatId,
    fromMe: conflict.fromMe,
    fromJid: conflict.fromJid ?? '',
    content: toJson(conflict.content),
    timestamp: conflict.timestamp,
    metadata: toJson(conflict.metadata),
  }));
  for (const part of chunkBySize(rows, rowBytes)) {
    await db
      .insertInto('MessageConflict')
      .values(part)
      .onDuplicateKeyUpdate({ content: incoming('content'), timestamp: incoming('timestamp'), metadata: incoming('metadata') })
      .execute();
  }
}

/** How many conflicts a session has kept. */
export async function countConflicts(db: Queryable, sessionRowId: string): Promise<number> {
  const row = await db
    .selectFrom('MessageConflict')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('sessionId', '=', sessionRowId)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}
