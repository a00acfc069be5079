import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { domainEvent, type DomainEvent } from '../events/catalogue';
import type { EventBus } from '../events/event-bus';
import { AuthCipher, AuthCodec, parseEncryptionKey } from './auth/auth-cipher';
import { SessionIngest, type OutboxWriter } from './session-ingest';
import { SessionOwnership } from './ownership/session-ownership';
import { SessionManager } from './session-manager';
import type { SessionIdentity } from './session-identity';
import type { SessionState } from './session-state';
import { socketFactory, trustWhatsAppRootKey } from './socket-factory';
import { loadMessageContent } from './stored-messages';

export interface WhatsApp {
  manager: SessionManager;
  ingest: SessionIngest;
  ownership: SessionOwnership;
}

/** Seals credentials with AUTH_ENCRYPTION_KEY when it is set. */
export const authCodec = (config: Config): AuthCodec =>
  new AuthCodec(config.AUTH_ENCRYPTION_KEY ? new AuthCipher(parseEncryptionKey(config.AUTH_ENCRYPTION_KEY)) : null);

/** The session manager with this configuration's WhatsApp endpoint, encryption, history cut-off, reconnect and ingest retry policies. */
export function createWhatsApp(config: Config, db: Db, log: Logger, bus: EventBus, outbox?: OutboxWriter): WhatsApp {
  if (config.WHATSAPP_ROOT_KEY) trustWhatsAppRootKey(config.WHATSAPP_ROOT_KEY, log);
  const codec = authCodec(config);
  const publish = (session: SessionIdentity, events: DomainEvent[]) => {
    const owner = { sessionId: session.sessionId, userId: session.userId, workflowId: session.workflowId };
    void bus.publish(events.map((event) => ({ ...event, session: owner })));
  };
  const ingest = new SessionIngest(
    db,
    codec,
    { maxAgeDays: config.HISTORY_SYNC_MAX_DAYS, maxMessagesPerChat: config.HISTORY_SYNC_MAX_MESSAGES_PER_CHAT },
    log,
    publish,
  );
  if (outbox) ingest.addOutbox(outbox);
  const ownership = new SessionOwnership(db, log, {
    processId: randomUUID(),
    leaseTtlMs: config.SESSION_LEASE_TTL_MS,
    renewIntervalMs: config.SESSION_LEASE_RENEW_INTERVAL_MS,
  });
  const manager = new SessionManager({
    db,
    log,
    ownership,
    codec,
    makeSocket: socketFactory({
      wsUrl: config.WHATSAPP_WS_URL,
      baileysLogLevel: config.BAILEYS_LOG_LEVEL,
      loadMessage: async (sessionRowId, key) => loadMessageContent(db, sessionRowId, key, await ingest.jidForm(sessionRowId)),
    }),
    backoff: { baseDelayMs: config.RECONNECT_BASE_DELAY_MS, maxDelayMs: config.RECONNECT_MAX_DELAY_MS },
    ingestRetry: {
      baseDelayMs: config.INGEST_RETRY_BASE_DELAY_MS,
      maxDelayMs: config.INGEST_RETRY_MAX_DELAY_MS,
      failuresBeforeError: config.INGEST_FAILURES_BEFORE_ERROR,
    },
    ingestFlow: { highWatermark: config.INGEST_QUEUE_HIGH_WATERMARK, lowWatermark: config.INGEST_QUEUE_LOW_WATERMARK },
    statusIntervalMs: config.SESSION_STATUS_MIN_INTERVAL_MS,
    ingest: {
      prepare: (session, events, socket) => ingest.prepare(session, events, socket),
      write: (session, batches, fence) => ingest.write(session, batches, fence),
    },
    stateWritten: (session, state, previous) => publish(session, sessionEvents(session, state, previous)),
    recordState:
      outbox && ((trx, session, state, previous) => outbox(trx, session, sessionEvents(session, state, previous)).then(() => undefined)),
  });
  return { manager, ingest, ownership };
}

/** session.status when the status changed; session.qr when a new QR or pairing code waits. */
function sessionEvents(session: SessionIdentity, state: SessionState, previous: SessionState): DomainEvent[] {
  const events: DomainEvent[] = [];
  if (state.status !== previous.status) {
    const lastDisconnect = state.metadata.lastDisconnect as { reason?: string; code?: number | null } | undefined;
    const error = state.metadata.error as string | undefined;
    events.push(
      domainEvent('session.status', session.id, {
        status: state.status,
        phoneNumber: state.phoneNumber,
        ...(state.status === 'CONNECTED' ? {} : { reason: error ?? lastDisconnect?.reason, statusCode: lastDisconnect?.code ?? undefined }),
      }),
    );
  }
  if ((state.qrCode && state.qrCode !== previous.qrCode) || (state.pairingCode && state.pairingCode !== previous.pairingCode)) {
    events.push(domainEvent('session.qr', session.id, { qr: state.qrCode, pairingCode: state.pairingCode }));
  }
  return events;
}
