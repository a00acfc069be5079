import { Curve, proto } from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import { randomBytes } from 'node:crypto';
import { generate } from 'selfsigned';

/**
 * The simulator's own chain of trust for the noise handshake:
 * root (trusted by clients that opt in) → intermediate (issuerSerial 0) → leaf (the server's static key).
 */
export interface NoiseIdentity {
  rootKeyPair: KeyPair;
  staticKeyPair: KeyPair;
  certChain: Buffer;
}

export interface MediaTls {
  caCertPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

const TEN_YEARS_SECONDS = 10 * 365 * 24 * 3600;

function signedCertificate(details: proto.CertChain.NoiseCertificate.IDetails, signer: KeyPair) {
  const encoded = proto.CertChain.NoiseCertificate.Details.encode(details).finish();
  return { details: encoded, signature: Curve.sign(signer.private, encoded) };
}

export function createNoiseIdentity(rootKeyPair: KeyPair = Curve.generateKeyPair()): NoiseIdentity {
  const intermediateKeyPair = Curve.generateKeyPair();
  const staticKeyPair = Curve.generateKeyPair();
  const notBefore = Math.floor(Date.now() / 1000) - 3600;
  const notAfter = notBefore + TEN_YEARS_SECONDS;
  const intermediate = signedCertificate({ serial: 1, issuerSerial: 0, key: intermediateKeyPair.public, notBefore, notAfter }, rootKeyPair);
  const leaf = signedCertificate({ serial: 2, issuerSerial: 1, key: staticKeyPair.public, notBefore, notAfter }, intermediateKeyPair);
  const certChain = Buffer.from(proto.CertChain.encode({ intermediate, leaf }).finish());
  return { rootKeyPair, staticKeyPair, certChain };
}

/** A private CA and a 127.0.0.1/localhost server certificate it signed, for the media HTTPS server. */
export async function createMediaTls(): Promise<MediaTls> {
  // a unique name: several simulator CAs may be trusted in one process, and issuers are found by name
  const ca = await generate([{ name: 'commonName', value: `WhatsApp Simulator Media CA ${randomBytes(6).toString('hex')}` }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + TEN_YEARS_SECONDS * 1000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + TEN_YEARS_SECONDS * 1000),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { caCertPem: ca.cert, caKeyPem: ca.private, certPem: leaf.cert, keyPem: leaf.private };
}
