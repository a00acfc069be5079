/** The gateway's JSON shapes the dashboard reads (see /docs for all fields). */

export interface Session {
  sessionId: string;
  name: string | null;
  status: 'CONNECTING' | 'QR_REQUIRED' | 'PAIRING_REQUIRED' | 'CONNECTED' | 'DISCONNECTED' | 'ERROR';
  qrCode: string | null;
  pairingCode: string | null;
  phoneNumber: string | null;
  lastSeen: string | null;
  isActive: boolean;
  metadata: Record<string, unknown> | null;
}

export interface Chat {
  jid: string;
  name: string | null;
  isGroup: boolean;
  unreadCount: number;
  lastMessage: { id: string; fromMe: boolean; type: string; text?: string; timestamp: string } | null;
}

export interface Message {
  id: string;
  messageId: string;
  chatId: string;
  fromMe: boolean;
  fromJid: string | null;
  messageType: string;
  content: Record<string, unknown>;
  status: string;
  timestamp: string;
}
