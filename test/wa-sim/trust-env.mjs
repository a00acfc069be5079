// Preload for a separate Baileys process (e.g. the gateway under test):
//   node --import ./test/wa-sim/trust-env.mjs app.js
// Trusts the simulator's noise root from WHATSAPP_ROOT_KEY (base64, 32 bytes). The media CA is
// trusted through NODE_EXTRA_CA_CERTS, which Node reads at start-up.
import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

const key = process.env.WHATSAPP_ROOT_KEY;
if (key) {
  const raw = Buffer.from(key, 'base64');
  if (raw.length !== 32) throw new Error('WHATSAPP_ROOT_KEY must be the base64 of a 32-byte Curve25519 public key');
  WA_CERT_DETAILS.PUBLIC_KEY = raw;
}
