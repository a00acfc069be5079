import makeWASocket, { Browsers, WA_CERT_DETAILS, proto } from '@whiskeysockets/baileys';
import type { AuthenticationState, WAMessageKey } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { redactingLogger } from './redacting-logger';

export type WASocket = ReturnType<typeof makeWASocket>;
export type SocketFactory = (sessionRowId: string, auth: AuthenticationState, log: Logger) => WASocket;

export interface SocketSettings {
  /** Where WhatsApp answers; unset, Baileys' default (WhatsApp itself). */
  wsUrl?: string;
  /** Finds the content of a message this session stored, for Baileys' retry handling. */
  loadMessage(sessionRowId: string, key: WAMessageKey): Promise<proto.IMessage | undefined>;
  baileysLogLevel: string;
}

/** Every Baileys socket of this gateway is made here, with the same defaults. */
export function socketFactory(settings: SocketSettings): SocketFactory {
  return (sessionRowId, auth, log) =>
    makeWASocket({
      auth,
      logger: redactingLogger(log.child({ module: 'baileys' }, { level: quieterLevel(log, settings.baileysLogLevel) })),
      ...(settings.wsUrl ? { waWebSocketUrl: settings.wsUrl } : {}),
      browser: Browsers.ubuntu('Chrome'),
      markOnlineOnConnect: false,
      syncFullHistory: true,
      shouldSyncHistoryMessage: () => true,
      generateHighQualityLinkPreview: false,
      getMessage: (key) => settings.loadMessage(sessionRowId, key),
    });
}

/** Baileys is chatty: it logs at its own level, never louder than the gateway's. */
function quieterLevel(log: Logger, level: string): string {
  const requested = log.levels.values[level] ?? Infinity;
  return log.levelVal > requested ? log.level : level;
}

/**
 * Trusts a WhatsApp server whose certificate chain is rooted at `rootKeyBase64` (the project's
 * simulator) instead of WhatsApp's own root. Process-wide: Baileys reads this key on every handshake.
 */
export function trustWhatsAppRootKey(rootKeyBase64: string, log: Logger): void {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(rootKeyBase64, 'base64');
  log.warn(
    '!!! WHATSAPP_ROOT_KEY is set: this gateway trusts a WhatsApp server that is NOT WhatsApp (a simulator). Never set it in production. !!!',
  );
}
