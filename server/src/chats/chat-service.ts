import type { Principal } from '../auth/principal';
import type { AppContext } from '../context';
import type { Session } from '../db/database';
import { notFound } from '../http/errors';
import { parseJid } from '../http/jid-param';
import { changeChat, otherAddressOf, type ChatChange, type LastMessage } from '../whatsapp/operations/chats';
import { SerialQueue } from '../whatsapp/serial-queue';
import type { WASocket } from '../whatsapp/socket-factory';
import { findChat, listChatMessages } from '../whatsapp/store/read-queries';
import type { ChatRecord } from '../whatsapp/store/records';
import { sessionIdentity } from '../whatsapp/session-identity';

/**
 * Archive, pin, mute and delete chats on WhatsApp. Each change is an app-state patch that the account's
 * other devices follow; the Chat row is updated before the answer.
 */
export class ChatService {
  /** Changes of one session run one at a time, so their rows are written in the order WhatsApp took them. */
  private readonly queues = new Map<string, { queue: SerialQueue; pending: number }>();

  constructor(private readonly ctx: Pick<AppContext, 'db' | 'sessions' | 'manager' | 'ingest'>) {}

  /** Archives, pins or mutes (or undoes it) and answers the Chat row as stored afterwards. */
  async change(
    principal: Principal,
    sessionId: string,
    jidParam: string,
    change: Exclude<ChatChange, { kind: 'delete' }>,
  ): Promise<ChatRecord> {
    return this.apply(principal, sessionId, jidParam, change, async (session, jid) => {
      const row = await findChat(this.ctx.db, session.id, jid);
      if (!row) throw new Error(`chat ${jid} has no row after ${change.kind}`);
      return row;
    });
  }

  /** Deletes the chat for me on all my devices: its Chat row goes, its messages stay (as after a delete on the phone). */
  async remove(principal: Principal, sessionId: string, jidParam: string): Promise<void> {
    await this.apply(principal, sessionId, jidParam, { kind: 'delete' }, async () => undefined);
  }

  /**
   * Sends the change for a chat this session knows (a Chat row or a stored message; 404 otherwise) and
   * stores it, then reads the result.
   */
  private async apply<T>(
    principal: Principal,
    sessionId: string,
    jidParam: string,
    change: ChatChange,
    result: (session: Session, jid: string) => Promise<T>,
  ): Promise<T> {
    const requested = parseJid(jidParam);
    return this.ctx.sessions.withSocket(principal, sessionId, (socket, session) =>
      this.serially(session.id, async () => {
        const { jid, last } = await this.knownChat(socket, session, requested);
        const events = await changeChat(socket, jid, change, last);
        // Baileys reports our own patch as events too; they are queued for storage and must land before ours.
        // Only this session's queue: another tenant's history sync must not hold this action up.
        await this.ctx.manager.drained(session.id);
        await this.ctx.ingest.apply(sessionIdentity(session), events, socket);
        return result(session, jid);
      }),
    );
  }

  /** The chat under the address it is stored by (phone number or LID), with its newest message. */
  private async knownChat(socket: WASocket, session: Session, requested: string): Promise<{ jid: string; last?: LastMessage }> {
    const found = (await this.stored(session, requested)) ?? (await this.storedUnderOtherAddress(socket, session, requested));
    if (!found) throw notFound(`Chat "${requested}" not found in session "${session.sessionId}" (no chat and no messages stored for it)`);
    return found;
  }

  private async storedUnderOtherAddress(socket: WASocket, session: Session, jid: string) {
    const other = await otherAddressOf(socket, jid);
    return other ? this.stored(session, other) : undefined;
  }

  private async stored(session: Session, jid: string): Promise<{ jid: string; last?: LastMessage } | undefined> {
    const [row, newest] = await Promise.all([
      findChat(this.ctx.db, session.id, jid),
      listChatMessages(this.ctx.db, session.id, jid, { limit: 1 }),
    ]);
    const last = newest.data[0];
    if (!row && !last) return undefined;
    return { jid, ...(last ? { last } : {}) };
  }

  private async serially<T>(sessionRowId: string, task: () => Promise<T>): Promise<T> {
    const entry = this.queues.get(sessionRowId) ?? { queue: new SerialQueue(), pending: 0 };
    this.queues.set(sessionRowId, entry);
    entry.pending++;
    try {
      return await entry.queue.run(task);
    } finally {
      if (--entry.pending === 0) this.queues.delete(sessionRowId);
    }
  }
}
