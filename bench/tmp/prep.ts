import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { prepareEvents } from '../../server/src/whatsapp/ingest';
import { LidMap } from '../../server/src/whatsapp/jids';
const messages: WAMessage[] = [];
for (let i = 0; i < 5000; i++) {
  messages.push(proto.WebMessageInfo.fromObject({ key: { remoteJid: `1999${String(i % 100).padStart(7, '0')}@s.whatsapp.net`, fromMe: i % 3 === 2, id: `HS1C${i}` }, message: { conversation: `History message ${i}` }, messageTimestamp: 1795000000 + i, pushName: 'X', status: i % 3 === 2 ? 4 : undefined }) as WAMessage);
}
const ctx = { me: { id: '15550001:2@s.whatsapp.net', lid: '123@lid' }, lids: new LidMap(), historyCutoff: { maxAgeDays: 36500, maxMessagesPerChat: 1e9 } };
const events = { 'messaging-history.set': { chats: [], contacts: [], messages, isLatest: false, syncType: 2 } } as any;
for (let r = 0; r < 5; r++) { const t = performance.now(); prepareEvents(events, ctx); console.log('prepare 5000 ms', (performance.now() - t).toFixed(1)); }
