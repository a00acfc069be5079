import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, NOISE_WA_HEADER, proto, sha256 } from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';

const EMPTY = Buffer.alloc(0);

function counterIv(counter: number): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
}

/** AES-GCM transport after the handshake: one counter per direction, no associated data. */
export class NoiseTransport {
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly encKey: Buffer,
    private readonly decKey: Buffer,
  ) {}

  encrypt(plaintext: Uint8Array): Buffer {
    return aesEncryptGCM(plaintext, this.encKey, counterIv(this.writeCounter++), EMPTY);
  }

  decrypt(ciphertext: Uint8Array): Buffer {
    return aesDecryptGCM(ciphertext, this.decKey, counterIv(this.readCounter++), EMPTY);
  }
}

export interface ClientFinish {
  clientStaticKey: Buffer;
  payload: proto.ClientPayload;
  transport: NoiseTransport;
}

/** Responder side of Noise_XX_25519_AESGCM_SHA256 as WhatsApp Web speaks it. */
export class NoiseServerHandshake {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral: KeyPair = Curve.generateKeyPair();

  constructor(
    private readonly staticKeyPair: KeyPair,
    private readonly certChain: Uint8Array,
  ) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.length === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.mixHash(NOISE_WA_HEADER);
  }

  /** Answers the client's hello with our ephemeral key, encrypted static key and certificate chain. */
  respondToHello(helloFrame: Uint8Array): Buffer {
    const hello = proto.HandshakeMessage.decode(helloFrame).clientHello;
    if (!hello?.ephemeral || hello.ephemeral.length !== 32) throw new Error('invalid client hello');
    const clientEphemeral = Buffer.from(hello.ephemeral);
    this.clientEphemeral = clientEphemeral;
    this.mixHash(clientEphemeral);
    this.mixHash(this.ephemeral.public);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientEphemeral));
    const encStatic = this.encrypt(this.staticKeyPair.public);
    this.mixKey(Curve.sharedKey(this.staticKeyPair.private, clientEphemeral));
    const encPayload = this.encrypt(this.certChain);
    return Buffer.from(
      proto.HandshakeMessage.encode({
        serverHello: { ephemeral: this.ephemeral.public, static: encStatic, payload: encPayload },
      }).finish(),
    );
  }

  finish(finishFrame: Uint8Array): ClientFinish {
    const finish = proto.HandshakeMessage.decode(finishFrame).clientFinish;
    if (!finish?.static || !finish.payload || !this.clientEphemeral) throw new Error('invalid client finish');
    const clientStaticKey = this.decrypt(finish.static);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStaticKey));
    const payload = proto.ClientPayload.decode(this.decrypt(finish.payload));
    const [clientWrite, clientRead] = this.split(EMPTY);
    return { clientStaticKey, payload, transport: new NoiseTransport(clientRead, clientWrite) };
  }

  private clientEphemeral?: Buffer;

  private mixHash(data: Uint8Array) {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private split(data: Uint8Array): [Buffer, Buffer] {
    const out = Buffer.from(hkdf(Buffer.from(data), 64, { salt: this.salt, info: '' }));
    return [out.subarray(0, 32), out.subarray(32)];
  }

  private mixKey(data: Uint8Array) {
    const [salt, key] = this.split(data);
    this.salt = salt;
    this.key = key;
    this.counter = 0;
  }

  private encrypt(plaintext: Uint8Array): Buffer {
    const result = aesEncryptGCM(plaintext, this.key, counterIv(this.counter++), this.hash);
    this.mixHash(result);
    return result;
  }

  private decrypt(ciphertext: Uint8Array): Buffer {
    const result = aesDecryptGCM(ciphertext, this.key, counterIv(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return result;
  }
}

/**
 * Splits the client byte stream into frames (3-byte big-endian length prefix).
 * The very first bytes are the connection intro: "WA" + 2 version bytes, optionally preceded by an
 * "ED" edge-routing header.
 */
export class FrameReader {
  private buffer = EMPTY;
  private introSkipped = false;

  push(data: Uint8Array): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : Buffer.from(data);
    if (!this.introSkipped) {
      const introLength = this.introLength();
      if (introLength === undefined) return [];
      this.buffer = this.buffer.subarray(introLength);
      this.introSkipped = true;
    }
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const size = (this.buffer[0]! << 16) | (this.buffer[1]! << 8) | this.buffer[2]!;
      if (this.buffer.length < size + 3) break;
      frames.push(this.buffer.subarray(3, size + 3));
      this.buffer = this.buffer.subarray(size + 3);
    }
    return frames;
  }

  private introLength(): number | undefined {
    const b = this.buffer;
    if (b.length < 4) return undefined;
    if (b[0] === 0x45 && b[1] === 0x44) {
      if (b.length < 7) return undefined;
      const routingLength = (b[4]! << 16) | (b[5]! << 8) | b[6]!;
      const total = 7 + routingLength + 4;
      return b.length >= total ? total : undefined;
    }
    if (b[0] !== 0x57 || b[1] !== 0x41) throw new Error('unexpected connection intro');
    return 4;
  }
}

export function encodeFrame(data: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(3 + data.length);
  frame[0] = (data.length >>> 16) & 0xff;
  frame[1] = (data.length >>> 8) & 0xff;
  frame[2] = data.length & 0xff;
  frame.set(data, 3);
  return frame;
}
