import type makeWASocket from '@whiskeysockets/baileys';

export type WASocket = ReturnType<typeof makeWASocket>;

/**
 * Ends a Baileys socket without leaving timers behind: `sock.end()` detaches its close listeners
 * before closing, so queries still in flight would otherwise only settle on their timeout.
 */
export function endSocket(sock: WASocket): void {
  void sock.end(undefined);
  sock.ws.emit('error', new Error('socket ended'));
}
