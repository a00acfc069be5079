import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** How an encrypted value is stored (as JSON) in Session.authData and SessionKey.value. */
export interface Sealed {
  $sealed: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
}

export class AuthStateLockedError extends Error {}

export const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && (value as Sealed).$sealed === 'aes-256-gcm';

/** Parses AUTH_ENCRYPTION_KEY: 32 bytes as 64 hex characters or as base64. */
export function parseEncryptionKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('AUTH_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/** AES-256-GCM for credentials at rest; a wrong key fails authentication instead of yielding garbage. */
export class AuthCipher {
  constructor(private readonly key: Buffer) {}

  seal(plaintext: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      $sealed: 'aes-256-gcm',
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  open(sealed: Sealed): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new AuthStateLockedError(
        'stored WhatsApp credentials cannot be decrypted: AUTH_ENCRYPTION_KEY is not the key they were encrypted with',
      );
    }
  }
}

/** Seals (when a cipher is configured) or passes through the JSON text of a credential value. */
export class AuthCodec {
  constructor(private readonly cipher: AuthCipher | null) {}

  encode(json: string): string {
    return this.cipher ? JSON.stringify(this.cipher.seal(json)) : json;
  }

  /** Accepts JSON text or an already parsed value (MySQL parses JSON columns). */
  decode(stored: unknown): string {
    const value = typeof stored === 'string' && stored.startsWith('{"$sealed"') ? JSON.parse(stored) : stored;
    if (isSealed(value)) {
      if (!this.cipher) throw new AuthStateLockedError('stored WhatsApp credentials are encrypted but AUTH_ENCRYPTION_KEY is not set');
      return this.cipher.open(value);
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
}
