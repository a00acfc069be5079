import { generateSignalPubKey } from '@whiskeysockets/baileys';
import { verifySignature as libsignalVerify } from 'libsignal/src/curve.js';

/**
 * XEdDSA verification that reports a bad signature. Baileys' `Curve.verify` (rc14) expects
 * libsignal's `verifySignature` to throw on a mismatch, but it returns `false` instead, so
 * `Curve.verify` accepts any well-formed signature. The simulator checks with this.
 */
export function verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return libsignalVerify(Buffer.from(generateSignalPubKey(publicKey)), Buffer.from(message), Buffer.from(signature)) === true;
  } catch {
    return false;
  }
}
