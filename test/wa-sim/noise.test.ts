import { Curve, encodeBinaryNode, makeNoiseHandler, NOISE_WA_HEADER, proto, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import type { BinaryNode } from '@whiskeysockets/baileys';
import pino from 'pino';
import { createNoiseIdentity } from './certificates';
import { prepareJestRealm } from './jest-realm';
import { encodeFrame, FrameReader, NoiseServerHandshake } from './noise-server';

prepareJestRealm();

describe('noise handshake and framing', () => {
  test('Baileys’ own noise handler completes XX against the server side, and transport frames flow both ways', async () => {
    const identity = createNoiseIdentity();
    const trusted = WA_CERT_DETAILS.PUBLIC_KEY;
    WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(identity.rootKeyPair.public);
    try {
      const ephemeral = Curve.generateKeyPair();
      const noiseKey = Curve.generateKeyPair();
      const client = makeNoiseHandler({ keyPair: ephemeral, NOISE_HEADER: NOISE_WA_HEADER, logger: pino({ level: 'silent' }) });
      const server = new NoiseServerHandshake(identity.staticKeyPair, identity.certChain);
      const reader = new FrameReader();

      const hello = client.encodeFrame(proto.HandshakeMessage.encode({ clientHello: { ephemeral: ephemeral.public } }).finish());
      const [helloFrame] = reader.push(hello);
      const serverHello = proto.HandshakeMessage.decode(server.respondToHello(helloFrame!));
      const keyEnc = client.processHandshake(serverHello, noiseKey);
      const payload = client.encrypt(proto.ClientPayload.encode({ username: 15550000000, device: 3, passive: true }).finish());
      const [finishFrame] = reader.push(
        client.encodeFrame(proto.HandshakeMessage.encode({ clientFinish: { static: keyEnc, payload } }).finish()),
      );
      const finished = server.finish(finishFrame!);
      await client.finishInit();

      expect(Buffer.from(finished.clientStaticKey)).toEqual(Buffer.from(noiseKey.public));
      expect(finished.payload.username?.toString()).toBe('15550000000');
      expect(finished.payload.device).toBe(3);

      const [upFrame] = reader.push(client.encodeFrame(encodeBinaryNode({ tag: 'iq', attrs: { id: 'up' } })));
      expect(finished.transport.decrypt(upFrame!)[0]).toBe(0);
      const received: (BinaryNode | Uint8Array)[] = [];
      const down = encodeFrame(
        finished.transport.encrypt(encodeBinaryNode({ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: '0' } }] })),
      );
      await client.decodeFrame(down.subarray(0, 5), (frame) => received.push(frame));
      await client.decodeFrame(down.subarray(5), (frame) => received.push(frame));
      expect(received).toEqual([{ tag: 'ib', attrs: {}, content: [{ tag: 'offline', attrs: { count: '0' }, content: undefined }] }]);
    } finally {
      WA_CERT_DETAILS.PUBLIC_KEY = trusted;
    }
  });

  test('frames split or merged across websocket messages, after a plain or edge-routing intro', () => {
    const frames = [Buffer.from('first'), Buffer.alloc(70_000, 1), Buffer.from('third')];
    const stream = Buffer.concat(frames.map(encodeFrame));
    for (const intro of [
      Buffer.from(NOISE_WA_HEADER),
      Buffer.concat([Buffer.from('ED'), Buffer.from([0, 1, 0, 0, 3]), Buffer.from('abc'), Buffer.from(NOISE_WA_HEADER)]),
    ]) {
      const reader = new FrameReader();
      const all = Buffer.concat([intro, stream]);
      const out: Buffer[] = [];
      for (let i = 0; i < all.length; i += 997) out.push(...reader.push(all.subarray(i, i + 997)));
      expect(out).toEqual(frames);
    }
    expect(() => new FrameReader().push(Buffer.from('GET / HTTP/1.1'))).toThrow('unexpected connection intro');
  });
});
