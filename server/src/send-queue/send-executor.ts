import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/database';
import { HttpError } from '../http/errors';
import type { MediaLimits } from '../messages/media-input';
import { mergeMessageMetadata } from '../messages/message-repository';
import { forwardableMessage, planSend } from '../messages/outgoing-content';
import { confirmOnWhatsApp, parseRecipient } from '../messages/recipients';
import { findSessionByRowId } from '../whatsapp/store/session-repository';
import { forwardMessage, sendContent, sendPresence } from '../whatsapp/operations/messages';
import type { SessionIngest } from '../whatsapp/session-ingest';
import type { SessionManager } from '../whatsapp/session-manager';
import { findMessage } from '../whatsapp/store/read-queries';
import { bulkTemplate } from './bulk-repository';
import type { QueuedSend } from './queue-repository';
import { render, type BulkTemplate, type QueuedRequest } from './queued-request';

export interface ExecutorServices {
  db: Db;
  ingest: SessionIngest;
  manager: SessionManager;
  limits: MediaLimits;
}

/** Sends one claimed SendQueue row through the session's socket, under the WhatsApp id chosen when it was accepted. */
export class SendExecutor {
  private readonly templates = new Map<string, BulkTemplate>();

  constructor(private readonly services: ExecutorServices) {}

  /**
   * Returns once the Message row is stored. A row whose message is already stored (sent by a worker that
   * crashed before recording it) is not sent again. Throws what the send threw: the caller decides
   * between waiting (not connected) and FAILED.
   */
  async execute(row: QueuedSend, options: { typingMs: number }): Promise<void> {
    const { db, ingest, manager, limits } = this.services;
    const session = await findSessionByRowId(db, row.sessionId);
    if (!session) throw new HttpError(404, 'The session was deleted');
    const request = JSON.parse(row.request) as QueuedRequest;
    const template = 'bulk' in request ? await this.template(row.bulkJobId!) : undefined;
    await manager.whenConnected(row.sessionId, async (socket) => {
      if (await findMessage(db, row.sessionId, row.messageId)) return;
      const store = { ingest, session };
      if ('forward' in request) {
        const source = await forwardableMessage(db, row.sessionId, request.forward);
        const jid = await confirmOnWhatsApp(socket, parseRecipient(request.to));
        await forwardMessage(store, socket, jid, source, { messageId: row.messageId });
        return;
      }
      const body = 'send' in request ? request.send : render(template!, request.bulk.to, request.bulk.variables);
      const plan = await planSend(db, row.sessionId, body, limits);
      const jid = await confirmOnWhatsApp(socket, plan.to);
      const content = await plan.content();
      if (options.typingMs > 0 && content.kind === 'text') {
        await sendPresence(socket, 'composing', jid);
        await sleep(options.typingMs);
        await sendPresence(socket, 'paused', jid);
      }
      await sendContent(store, socket, jid, content, { messageId: row.messageId, quoted: plan.quoted });
    });
    if (row.idempotencyKey && row.requestHash) {
      await mergeMessageMetadata(db, row.sessionId, row.messageId, {
        idempotency: { key: row.idempotencyKey, requestHash: row.requestHash },
      });
    }
  }

  private async template(jobId: string): Promise<BulkTemplate> {
    let template = this.templates.get(jobId);
    if (!template) {
      const stored = await bulkTemplate(this.services.db, jobId);
      if (stored === undefined) throw new HttpError(404, 'The bulk job was deleted');
      template = JSON.parse(stored) as BulkTemplate;
      if (this.templates.size >= 100) this.templates.delete(this.templates.keys().next().value!);
      this.templates.set(jobId, template);
    }
    return template;
  }
}
