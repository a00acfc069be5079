import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { AuthCipher, AuthCodec, parseEncryptionKey } from './auth/auth-cipher';
import { SessionManager } from './session-manager';
import { socketFactory, trustWhatsAppRootKey } from './socket-factory';
import { loadMessageContent } from './stored-messages';

/** The session manager with this configuration's WhatsApp endpoint, encryption and reconnect policy. */
export function createSessionManager(config: Config, db: Db, log: Logger): SessionManager {
  if (config.WHATSAPP_ROOT_KEY) trustWhatsAppRootKey(config.WHATSAPP_ROOT_KEY, log);
  const codec = new AuthCodec(config.AUTH_ENCRYPTION_KEY ? new AuthCipher(parseEncryptionKey(config.AUTH_ENCRYPTION_KEY)) : null);
  return new SessionManager({
    db,
    log,
    codec,
    makeSocket: socketFactory({
      wsUrl: config.WHATSAPP_WS_URL,
      baileysLogLevel: config.BAILEYS_LOG_LEVEL,
      loadMessage: (sessionRowId, key) => loadMessageContent(db, sessionRowId, key),
    }),
    backoff: { baseDelayMs: config.RECONNECT_BASE_DELAY_MS, maxDelayMs: config.RECONNECT_MAX_DELAY_MS },
    statusIntervalMs: config.SESSION_STATUS_MIN_INTERVAL_MS,
    ingest: async () => {},
    stateWritten: () => {},
  });
}
