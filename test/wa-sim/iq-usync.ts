import type { BinaryNode } from '@whiskeysockets/baileys';
import type { IqHandler, SimContext } from './context';
import type { AccountRecord } from './directory';
import { addressingOf, normalizePhone, userJid } from './jid';
import { child, children, iqError, iqResult, node, text } from './stanza';

/**
 * xmlns=usync: device lists (companions only — the phone holds no Signal keys), LID mapping,
 * contact existence (onWhatsApp), status and disappearing mode.
 */
export const handleUsyncIq: IqHandler = (ctx, conn, iq) => {
  const usync = child(iq, 'usync');
  if (!usync) return iqError(iq, 400, 'bad-request');
  const protocols = children(child(usync, 'query')).map((p) => p.tag);
  const users = children(child(usync, 'list'), 'user').map((user) => answerUser(ctx, user, protocols, conn.deviceListsAsked));
  return iqResult(iq, [
    node('usync', { sid: usync.attrs.sid, mode: usync.attrs.mode, context: usync.attrs.context, index: '0', last: 'true' }, [
      node(
        'result',
        {},
        protocols.map((p) => node(p, {})),
      ),
      node('list', {}, users),
    ]),
  ]);
};

function answerUser(ctx: SimContext, user: BinaryNode, protocols: string[], deviceListsAsked: Set<string>): BinaryNode {
  const { directory } = ctx.core;
  let jid = user.attrs.jid;
  let account: AccountRecord | undefined;
  if (jid) {
    account = directory.accountForJid(jid);
  } else {
    const phone = normalizePhone(text(child(user, 'contact')) ?? '');
    jid = userJid(phone, 'pn');
    account = phone ? directory.getAccount(phone) : undefined;
  }
  if (account && protocols.includes('devices')) deviceListsAsked.add(account.phone);
  const content: BinaryNode[] = [];
  for (const protocol of protocols) {
    const answer = answerProtocol(ctx, protocol, jid, account);
    if (answer) content.push(answer);
  }
  return node('user', { jid }, content);
}

function answerProtocol(ctx: SimContext, protocol: string, jid: string, account: AccountRecord | undefined) {
  const { directory } = ctx.core;
  switch (protocol) {
    case 'devices': {
      const devices = account ? directory.devicesOf(account) : [];
      return node('devices', {}, [
        node(
          'device-list',
          {},
          devices.map((d) => node('device', { id: String(d.id), 'key-index': String(d.keyIndex) })),
        ),
        node('key-index-list', { ts: String(account?.createdAt ?? 0) }),
      ]);
    }
    case 'contact':
      return node('contact', { type: account ? 'in' : 'out' });
    case 'lid':
      return account && addressingOf(jid) === 'pn' ? node('lid', { val: userJid(account.lid, 'lid') }) : undefined;
    case 'status':
      return account ? node('status', { t: String(account.status.t) }, Buffer.from(account.status.text)) : node('status', { code: '404' });
    case 'disappearing_mode':
      return node('disappearing_mode', { duration: '0', t: '0' });
    default:
      return undefined;
  }
}
