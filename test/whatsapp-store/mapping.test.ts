import { generateWAMessageContent, generateWAMessageFromContent, proto, type WAMessage } from '@whiskeysockets/baileys';
import type { MessageType } from '../../server/src/db/database';
import { LidMap, normalizeJid, phoneNumberOf } from '../../server/src/whatsapp/jids';
import { contentToProto, previewText } from '../../server/src/whatsapp/mapping/message-content';
import { clip } from '../../server/src/whatsapp/mapping/values';
import { applyMessageOperations, type MessageState } from '../../server/src/whatsapp/mapping/message-patches';
import { classifyMessage, type MessageInput } from '../../server/src/whatsapp/mapping/message-row';
import { ALICE, ALICE_LID, BOB, BOB_LID, GROUP, ME, ME_PN, text, waMessage } from './fixtures';

const context = (lids = new LidMap()) => ({ me: ME, lids });

function row(message: WAMessage, lids = new LidMap()): MessageInput {
  const intent = classifyMessage(message, context(lids), 'live');
  if (intent.kind !== 'row') throw new Error(`expected a row, got ${intent.kind}`);
  return intent.message;
}

const bytes = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256);
const media = {
  url: 'https://mmg.whatsapp.net/v/t62/abc',
  directPath: '/v/t62/abc?ccb=1',
  mediaKey: bytes(32, 1),
  fileSha256: bytes(32, 2),
  fileEncSha256: bytes(32, 3),
  mimetype: 'application/octet-stream',
};

describe('message type', () => {
  const cases: [string, proto.IMessage, MessageType][] = [
    ['conversation', { conversation: 'hi' }, 'TEXT'],
    ['extended text', { extendedTextMessage: { text: 'https://example.com', matchedText: 'https://example.com' } }, 'TEXT'],
    ['image', { imageMessage: { ...media, caption: 'pic' } }, 'IMAGE'],
    ['video', { videoMessage: { ...media } }, 'VIDEO'],
    ['gif', { videoMessage: { ...media, gifPlayback: true } }, 'VIDEO'],
    ['round video (ptv)', { ptvMessage: { ...media } }, 'VIDEO'],
    ['audio', { audioMessage: { ...media } }, 'AUDIO'],
    ['voice note (ptt)', { audioMessage: { ...media, ptt: true } }, 'AUDIO'],
    ['document', { documentMessage: { ...media, fileName: 'a.pdf' } }, 'DOCUMENT'],
    ['document with caption', { documentWithCaptionMessage: { message: { documentMessage: { ...media, caption: 'see' } } } }, 'DOCUMENT'],
    ['sticker', { stickerMessage: { ...media } }, 'STICKER'],
    ['location', { locationMessage: { degreesLatitude: 1, degreesLongitude: 2, name: 'Here' } }, 'LOCATION'],
    ['live location', { liveLocationMessage: { degreesLatitude: 1, degreesLongitude: 2 } }, 'LOCATION'],
    ['contact', { contactMessage: { displayName: 'Ann', vcard: 'BEGIN:VCARD' } }, 'CONTACT'],
    ['contacts array', { contactsArrayMessage: { displayName: '2 contacts', contacts: [{ displayName: 'A' }] } }, 'CONTACT'],
    ['poll v1', { pollCreationMessage: { name: 'Lunch?', options: [{ optionName: 'yes' }] } }, 'POLL'],
    ['poll v2', { pollCreationMessageV2: { name: 'Lunch?', options: [{ optionName: 'yes' }] } }, 'POLL'],
    ['poll v3', { pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'yes' }] } }, 'POLL'],
    ['reaction', { reactionMessage: { key: { id: 'TARGET', remoteJid: ALICE, fromMe: true }, text: '👍' } }, 'REACTION'],
    ['buttons response', { buttonsResponseMessage: { selectedButtonId: 'b1', selectedDisplayText: 'Yes' } }, 'BUTTON_REPLY'],
    ['template button reply', { templateButtonReplyMessage: { selectedId: 'b1', selectedDisplayText: 'Yes' } }, 'BUTTON_REPLY'],
    ['list response', { listResponseMessage: { title: 'Pick', singleSelectReply: { selectedRowId: 'r1' } } }, 'LIST_REPLY'],
    ['ephemeral text', { ephemeralMessage: { message: { extendedTextMessage: { text: 'gone soon' } } } }, 'TEXT'],
    ['view once image', { viewOnceMessage: { message: { imageMessage: { ...media } } } }, 'IMAGE'],
    ['view once v2 video', { viewOnceMessageV2: { message: { videoMessage: { ...media } } } }, 'VIDEO'],
    ['view once v2 extension voice', { viewOnceMessageV2Extension: { message: { audioMessage: { ...media, ptt: true } } } }, 'AUDIO'],
    ['ephemeral view once', { ephemeralMessage: { message: { viewOnceMessageV2: { message: { imageMessage: { ...media } } } } } }, 'IMAGE'],
    ['group invite (shown, no own type)', { groupInviteMessage: { groupJid: GROUP, inviteCode: 'x', groupName: 'G' } }, 'TEXT'],
  ];
  it.each(cases)('%s', (_name, message, type) => {
    const mapped = row(waMessage({ remoteJid: ALICE, message: proto.Message.fromObject(message) }));
    expect(mapped.messageType).toBe(type);
  });

  it('records the wrappers in metadata', () => {
    const mapped = row(
      waMessage({
        remoteJid: ALICE,
        message: { ephemeralMessage: { message: { viewOnceMessageV2: { message: { imageMessage: { ...media } } } } } },
      }),
    );
    expect(mapped.metadata).toMatchObject({ viewOnce: true, ephemeral: true, contentType: 'imageMessage' });
  });

  it.each<[string, WAMessage]>([
    [
      'a protocol message of another kind',
      waMessage({
        remoteJid: ALICE,
        message: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.EPHEMERAL_SETTING, ephemeralExpiration: 86400 } },
      }),
    ],
    [
      'sender key distribution only',
      waMessage({
        remoteJid: GROUP,
        participant: BOB,
        message: { senderKeyDistributionMessage: { groupId: GROUP, axolotlSenderKeyDistributionMessage: bytes(8, 1) } },
      }),
    ],
    [
      'an encrypted poll vote',
      waMessage({
        remoteJid: ALICE,
        message: { pollUpdateMessage: { pollCreationMessageKey: { id: 'P' }, vote: { encPayload: bytes(4, 1) } } },
      }),
    ],
    [
      'a stub without content',
      waMessage({ remoteJid: GROUP, message: null, messageStubType: proto.WebMessageInfo.StubType.GROUP_PARTICIPANT_ADD }),
    ],
    [
      'a failed decryption placeholder',
      waMessage({ remoteJid: ALICE, message: null, messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT }),
    ],
  ])('ignores %s', (_name, message) => {
    expect(classifyMessage(message, context(), 'live')).toEqual({ kind: 'ignore' });
  });

  it('keeps text beside a sender key distribution, and drops the key distribution from the content', () => {
    const mapped = row(
      waMessage({
        remoteJid: GROUP,
        participant: BOB,
        message: { senderKeyDistributionMessage: { groupId: GROUP }, conversation: 'hey all' },
      }),
    );
    expect(mapped.messageType).toBe('TEXT');
    expect(mapped.content).toEqual({ conversation: 'hey all' });
  });
});

describe('content', () => {
  it('is protobuf JSON that turns back into the same proto.Message, media keys and 64-bit lengths included', async () => {
    const content = await generateWAMessageContent(
      { document: Buffer.from('the quarterly report'), mimetype: 'text/plain', fileName: 'report.txt', caption: 'Q3' },
      { upload: async () => ({ mediaUrl: 'https://mmg.whatsapp.net/v/t62.7119-24/report', directPath: '/v/t62.7119-24/report?ccb=11-4' }) },
    );
    const message = generateWAMessageFromContent(ALICE, content, { userJid: ME.id });
    const mapped = row(message);
    expect(JSON.parse(JSON.stringify(mapped.content))).toEqual(mapped.content);
    const inner =
      (mapped.content.documentWithCaptionMessage as { message: { documentMessage: Record<string, unknown> } } | undefined)?.message
        .documentMessage ?? (mapped.content.documentMessage as Record<string, unknown>);
    expect(typeof inner.mediaKey).toBe('string');
    expect(inner.directPath).toBe('/v/t62.7119-24/report?ccb=11-4');

    const back = contentToProto(mapped.content);
    expect(proto.Message.encode(back).finish()).toEqual(proto.Message.encode(message.message!).finish());
    expect(mapped.messageType).toBe('DOCUMENT');
    expect(previewText(mapped.content)).toBe('Q3');
  });

  it('takes the quoted message id from contextInfo', () => {
    const quoted = waMessage({ remoteJid: ALICE, id: 'QUOTED1', message: text('question?') });
    const reply = generateWAMessageFromContent(ALICE, proto.Message.fromObject({ extendedTextMessage: { text: 'answer' } }), {
      userJid: ME.id,
      quoted,
    });
    expect(row(reply).quotedMessage).toBe('QUOTED1');
  });

  it('points a reaction at the message it reacts to', () => {
    const reaction = row(
      waMessage({ remoteJid: ALICE, message: { reactionMessage: { key: { id: 'TARGET', remoteJid: ALICE, fromMe: true }, text: '❤️' } } }),
    );
    expect(reaction.quotedMessage).toBe('TARGET');
    expect(reaction.metadata.reactionTo).toEqual({ messageId: 'TARGET', fromMe: true });
  });
});

describe('addressing', () => {
  it('1:1 incoming: the peer sends to us', () => {
    const mapped = row(waMessage({ remoteJid: ALICE, pushName: 'Alice' }));
    expect(mapped).toMatchObject({ chatId: ALICE, fromMe: false, fromJid: ALICE, toJid: ME_PN });
    expect(mapped.metadata.pushName).toBe('Alice');
  });

  it('1:1 outgoing: we send to the peer', () => {
    expect(row(waMessage({ remoteJid: ALICE, fromMe: true }))).toMatchObject({ chatId: ALICE, fromJid: ME_PN, toJid: ALICE });
  });

  it('group: the participant sends to the group', () => {
    expect(row(waMessage({ remoteJid: GROUP, participant: `${phoneNumberOf(BOB)}:3@s.whatsapp.net` }))).toMatchObject({
      chatId: GROUP,
      fromJid: BOB,
      toJid: GROUP,
    });
  });

  it('replaces LIDs with phone numbers from the envelope alt fields and keeps the LIDs in metadata', () => {
    const lids = new LidMap();
    lids.learn(ALICE_LID, ALICE);
    const direct = row(waMessage({ remoteJid: ALICE_LID }), lids);
    expect(direct).toMatchObject({ chatId: ALICE, fromJid: ALICE, toJid: ME_PN });
    expect(direct.metadata).toMatchObject({ chatLid: ALICE_LID, senderLid: ALICE_LID });

    lids.learn(`${BOB_LID.split('@')[0]}:2@lid`, BOB);
    const group = row(waMessage({ remoteJid: GROUP, participant: BOB_LID }), lids);
    expect(group).toMatchObject({ chatId: GROUP, fromJid: BOB, toJid: GROUP });
    expect(group.metadata.senderLid).toBe(BOB_LID);
  });

  it('keeps a LID whose phone number is unknown', () => {
    const mapped = row(waMessage({ remoteJid: '900000000099@lid' }));
    expect(mapped).toMatchObject({ chatId: '900000000099@lid', fromJid: '900000000099@lid' });
    expect(mapped.metadata.chatLid).toBeUndefined();
  });

  it('asks the outside resolver for what it has not seen', () => {
    const lids = new LidMap({ toPhoneJid: (jid) => (jid === ALICE_LID ? `${phoneNumberOf(ALICE)}:4@s.whatsapp.net` : undefined) });
    expect(row(waMessage({ remoteJid: ALICE_LID }), lids).chatId).toBe(ALICE);
    expect(lids.toLid(ALICE)).toBe(ALICE_LID);
  });

  it('fits overlong names into their columns without breaking characters', () => {
    const name = '🧗'.repeat(300);
    const clipped = clip(name)!;
    expect(Array.from(clipped)).toHaveLength(255);
    expect(Array.from(clipped).every((c) => c === '🧗')).toBe(true);
    expect(clip('short')).toBe('short');
  });

  it('normalizes JIDs: device and agent dropped, c.us spelled s.whatsapp.net', () => {
    expect(normalizeJid('15550000002:12@c.us')).toBe(ALICE);
    expect(normalizeJid('15550000002_1:3@s.whatsapp.net')).toBe(ALICE);
    expect(normalizeJid('900000000002:5@lid')).toBe(ALICE_LID);
    expect(normalizeJid(GROUP)).toBe(GROUP);
  });
});

describe('status and time', () => {
  it.each<[string, boolean, number | undefined, string]>([
    ['received without status', false, undefined, 'DELIVERED'],
    ['received, read on another device', false, proto.WebMessageInfo.Status.READ, 'READ'],
    ['ours, pending', true, proto.WebMessageInfo.Status.PENDING, 'PENDING'],
    ['ours, server ack', true, proto.WebMessageInfo.Status.SERVER_ACK, 'SENT'],
    ['ours, delivered', true, proto.WebMessageInfo.Status.DELIVERY_ACK, 'DELIVERED'],
    ['ours, played', true, proto.WebMessageInfo.Status.PLAYED, 'READ'],
    ['ours, error', true, proto.WebMessageInfo.Status.ERROR, 'FAILED'],
    ['ours without status', true, undefined, 'SENT'],
  ])('%s', (_name, fromMe, status, expected) => {
    expect(row(waMessage({ remoteJid: ALICE, fromMe, ...(status !== undefined ? { status } : {}) })).status).toBe(expected);
  });

  it('reads the timestamp from a number, a Long or a string', () => {
    const decoded = proto.WebMessageInfo.decode(
      proto.WebMessageInfo.encode({
        key: { remoteJid: ALICE, id: 'L1' },
        message: { conversation: 'x' },
        messageTimestamp: 1_764_000_123,
      }).finish(),
    );
    expect(typeof decoded.messageTimestamp).toBe('object');
    expect(row(decoded as WAMessage).timestamp.toISOString()).toBe(new Date(1_764_000_123_000).toISOString());
    expect(row({ ...waMessage({ remoteJid: ALICE }), messageTimestamp: '1764000123' as unknown as number }).timestamp.getTime()).toBe(
      1_764_000_123_000,
    );
  });
});

describe('protocol messages become changes', () => {
  it('a revoke targets the revoked message', () => {
    const intent = classifyMessage(
      waMessage({
        remoteJid: ALICE,
        message: { protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id: 'GONE', remoteJid: ALICE } } },
      }),
      context(),
      'live',
    );
    expect(intent).toMatchObject({ kind: 'revoke', targetId: 'GONE', revokedBy: ALICE });
  });

  it('an edit (wrapped in editedMessage) carries the new content', () => {
    const intent = classifyMessage(
      waMessage({
        remoteJid: ALICE,
        message: {
          editedMessage: {
            message: {
              protocolMessage: {
                type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
                key: { id: 'OLD' },
                editedMessage: { conversation: 'fixed' },
                timestampMs: 1_764_000_500_250,
              },
            },
          },
        },
      }),
      context(),
      'live',
    );
    expect(intent).toEqual({
      kind: 'edit',
      targetId: 'OLD',
      chatId: '15550000002@s.whatsapp.net',
      by: { fromMe: false, jid: '15550000002@s.whatsapp.net' },
      content: { conversation: 'fixed' },
      editedAt: new Date(1_764_000_500_250),
    });
  });
});

describe('message operations', () => {
  const image: MessageState = {
    messageType: 'IMAGE',
    content: { ephemeralMessage: { message: { imageMessage: { url: 'https://x', mediaKey: 'a2V5', caption: 'before' } } } },
    status: 'SENT',
    metadata: {},
  };

  it('never moves the status backwards', () => {
    const { state, changes } = applyMessageOperations(image, [
      { kind: 'status', status: 'READ' },
      { kind: 'status', status: 'DELIVERED' },
      { kind: 'status', status: 'SENT' },
    ]);
    expect(state.status).toBe('READ');
    expect(changes).toEqual(['status']);
    expect(applyMessageOperations(state, [{ kind: 'status', status: 'DELIVERED' }]).changes).toEqual([]);
  });

  it('an edit changes the caption, keeps media keys and wrappers, and remembers the original once', () => {
    const first = applyMessageOperations(image, [
      { kind: 'edit', content: { imageMessage: { caption: 'after' } }, editedAt: new Date(2000) },
    ]);
    expect(first.state.content).toEqual({
      ephemeralMessage: { message: { imageMessage: { url: 'https://x', mediaKey: 'a2V5', caption: 'after' } } },
    });
    expect(first.state.metadata).toMatchObject({ editedAt: new Date(2000).toISOString(), originalContent: image.content });
    const second = applyMessageOperations(first.state, [
      { kind: 'edit', content: { imageMessage: { caption: 'again' } }, editedAt: new Date(3000) },
    ]);
    expect(second.state.metadata.originalContent).toEqual(image.content);
    const stale = applyMessageOperations(second.state, [
      { kind: 'edit', content: { imageMessage: { caption: 'late' } }, editedAt: new Date(2500) },
    ]);
    expect(stale.changes).toEqual([]);
  });

  it('a revoke flags the message once and later edits are ignored', () => {
    const revoked = applyMessageOperations(image, [{ kind: 'revoke', revokedAt: new Date(5000), revokedBy: ALICE }]);
    expect(revoked.state.metadata).toMatchObject({ revoked: true, revokedBy: ALICE });
    expect(revoked.state.content).toEqual(image.content);
    expect(
      applyMessageOperations(revoked.state, [
        { kind: 'revoke', revokedAt: new Date(6000) },
        { kind: 'edit', content: { conversation: 'x' }, editedAt: new Date(7000) },
      ]).changes,
    ).toEqual([]);
  });

  it('receipts keep the latest per recipient and raise the status', () => {
    const { state, changes } = applyMessageOperations(image, [
      { kind: 'receipt', recipient: ALICE, receipt: { deliveredAt: 'd1' } },
      { kind: 'receipt', recipient: BOB, receipt: { deliveredAt: 'd2' } },
      { kind: 'receipt', recipient: ALICE, receipt: { readAt: 'r1' } },
    ]);
    expect(state.metadata.receipts).toEqual({ [ALICE]: { deliveredAt: 'd1', readAt: 'r1' }, [BOB]: { deliveredAt: 'd2' } });
    expect(state.status).toBe('READ');
    expect(changes.sort()).toEqual(['receipts', 'status']);
  });

  it('reactions: one per author, empty text takes it back', () => {
    const { state } = applyMessageOperations(image, [
      { kind: 'reaction', author: ALICE, text: '👍' },
      { kind: 'reaction', author: BOB, text: '😂' },
      { kind: 'reaction', author: ALICE, text: '' },
    ]);
    expect(state.metadata.reactions).toEqual({ [BOB]: { text: '😂' } });
  });
});
