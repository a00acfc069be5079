import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * How an encrypted value is stored (as JSON) in Session.authData and SessionKey.value. Version 2 (`v: 2`)
 * binds the ciphertext to its row: the AES-GCM additional authenticated data is the row's context
 * (session row id + 'creds', or session row id + key type + key id), so a value copied to another row or
 * session fails to open. Values without `v` were sealed without it; they still open, and are sealed anew
 * (version 2) when next written and at start (sealAuthStateAtRest).
 */
export interface Sealed {
  $sealed: 'aes-256-gcm';
  v?: 2;
  iv: string;
  tag: string;
  data: string;
}

export class AuthStateLockedError extends Error {}

export const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && (value as Sealed).$sealed === 'aes-256-gcm';

/** The row a credential value belongs to: what its ciphertext is bound to. */
export const authContext = {
  creds: (sessionRowId: string) => JSON.stringify([sessionRowId, 'creds']),
  key: (sessionRowId: string, type: string, keyId: string) => JSON.stringify([sessionRowId, type, keyId]),
};

/** Parses AUTH_ENCRYPTION_KEY: 32 bytes as 64 hex characters or as base64. */
export function parseEncryptionKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('AUTH_ENCRYPTION_KEY must be 32 bytes, as 64 hex characters or base64');
  return key;
}

/** AES-256-GCM for credentials at rest; a wrong key (or row) fails authentication instead of yielding garbage. */
export class AuthCipher {
  constructor(private readonly key: Buffer) {}

  seal(plaintext: string, context: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      $sealed: 'aes-256-gcm',
      v: 2,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  open(sealed: Sealed, context: string): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'));
      if (sealed.v === 2) decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new AuthStateLockedError(
        'stored WhatsApp credentials cannot be decrypted: AUTH_ENCRYPTION_KEY is not the key they were encrypted with, or they were not stored for this session',
      );
    }
  }
}

const parseStored = (stored: unknown): unknown =>
  typeof stored === 'string' && stored.startsWith('{"$sealed"') ? JSON.parse(stored) : stored;

/** Seals (when a cipher is configured) or passes through the JSON text of a credential value. */
export class AuthCodec {
  constructor(private readonly cipher: AuthCipher | null) {}

  get encrypting(): boolean {
    return this.cipher !== null;
  }

  encode(json: string, context: string): string {
    return this.cipher ? JSON.stringify(this.cipher.seal(json, context)) : json;
  }

  /** Accepts JSON text or an already parsed value (MySQL parses JSON columns). */
  decode(stored: unknown, context: string): string {
    const value = parseStored(stored);
    if (isSealed(value)) {
      if (!this.cipher) throw new AuthStateLockedError('stored WhatsApp credentials are encrypted but AUTH_ENCRYPTION_KEY is not set');
      return this.cipher.open(value, context);
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /** Whether a stored value is not yet in the current sealed form (plaintext, or sealed without its row's context). */
  needsSealing(stored: unknown): boolean {
    if (!this.cipher) return false;
    const value = parseStored(stored);
    return !(isSealed(value) && value.v === 2);
  }
}
