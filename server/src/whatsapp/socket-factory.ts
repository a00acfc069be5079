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

/**
 * The `ws` WebSocket under a Baileys socket (WebSocketClient keeps it in a protected field,
 * lib/Socket/Client/websocket.js); null before it connects and after it closed.
 */
const webSocketOf = (socket: WASocket) => (socket.ws as unknown as { socket: PausableWebSocket | null }).socket;

/** What this module uses of a `ws` WebSocket. */
interface PausableWebSocket {
  readonly readyState: number;
  readonly OPEN: number;
  readonly isPaused: boolean;
  pause(): void;
  resume(): void;
}

/**
 * Stops reading from WhatsApp's websocket: what WhatsApp sends waits in the network buffers, unacknowledged,
 * and WhatsApp keeps it. Frames already read are still processed. Baileys hears nothing either (no answers
 * to its queries, no pongs: paused past its keep-alive, it closes the connection and a new one is made).
 */
export function pauseReading(socket: WASocket): void {
  const ws = webSocketOf(socket);
  if (ws && ws.readyState === ws.OPEN && !ws.isPaused) ws.pause();
}

/** Reads from WhatsApp's websocket again. */
export function resumeReading(socket: WASocket): void {
  const ws = webSocketOf(socket);
  if (ws?.isPaused) ws.resume();
}

const SETTLE_QUIET_MS = 300;
const SETTLE_POLL_MS = 10;

/**
 * Before a socket is ended on purpose: stops reading and waits, up to `maxMs`, until Baileys has emitted
 * every message it is still processing (nothing buffered, no event for SETTLE_QUIET_MS; `lastEventAt`
 * tells when the socket last emitted). Baileys sends a message's receipt, after which WhatsApp forgets it,
 * before it emits the message, and ending the socket drops what it has not emitted yet.
 */
export async function settleBeforeEnd(socket: WASocket, maxMs: number, lastEventAt: () => number): Promise<void> {
  pauseReading(socket);
  const deadline = Date.now() + maxMs;
  let busyAt = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    if (socket.ev.isBuffering()) busyAt = Date.now();
    if (Date.now() - Math.max(busyAt, lastEventAt()) >= SETTLE_QUIET_MS) break;
  }
  // A paused websocket cannot read WhatsApp's close frame, and would stay open (a second device to WhatsApp
  // when the session starts again). The caller ends the socket in this same tick, before anything is read.
  resumeReading(socket);
}

/** Whether reading from WhatsApp's websocket is paused. */
export const isReadingPaused = (socket: WASocket): boolean => webSocketOf(socket)?.isPaused ?? false;

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
