import type { IqHandler, SimContext } from './context';
import { isGroupJid, SERVER_JID, userJid } from './jid';
import { unlinkDevice } from './login';
import { bytes, child, children, iqError, iqResult, node, serverId, text, timestamp } from './stanza';

export const handlePing: IqHandler = (ctx, conn, iq) => {
  ctx.core.events.emit('ping', conn.ref);
  return iqResult(iq);
};

export const handleAcknowledgeOnly: IqHandler = (_ctx, _conn, iq) => iqResult(iq);

/** No account is a business: an empty business_profile makes Baileys' getBusinessProfile return undefined. */
export const handleBusinessIq: IqHandler = (_ctx, _conn, iq) => iqResult(iq, [node('business_profile', { v: '244' })]);

export const handleProps: IqHandler = (_ctx, _conn, iq) => iqResult(iq, [node('props', { protocol: '1', hash: 'wa-sim' })]);

export const handleMediaConn: IqHandler = (ctx, _conn, iq) =>
  iqResult(iq, [
    node('media_conn', { auth: ctx.media.issueToken(), ttl: '300', auth_ttl: '21600', max_buckets: '12' }, [
      node('host', { hostname: ctx.mediaHost(), maxContentLengthBytes: String(ctx.media.maxBytes) }),
    ]),
  ]);

export const handlePrivacyIq: IqHandler = (_ctx, conn, iq) => {
  const account = conn.ref?.account;
  if (!account) return iqError(iq, 401, 'not-authorized');
  if (child(iq, 'tokens')) return iqResult(iq, [node('tokens', {})]);
  const privacy = child(iq, 'privacy');
  if (iq.attrs.type === 'set') {
    for (const category of children(privacy, 'category')) {
      if (category.attrs.name && category.attrs.value) account.privacy[category.attrs.name] = category.attrs.value;
    }
    return iqResult(iq);
  }
  return iqResult(iq, [
    node(
      'privacy',
      {},
      Object.entries(account.privacy).map(([name, value]) => node('category', { name, value })),
    ),
  ]);
};

export const handleBlocklistIq: IqHandler = (ctx, conn, iq) => {
  const ref = conn.ref;
  if (!ref) return iqError(iq, 401, 'not-authorized');
  const { account } = ref;
  const { directory } = ctx.core;
  if (iq.attrs.type !== 'set') {
    return iqResult(iq, [
      node(
        'list',
        {},
        account.blocked.map((phone) => node('item', { jid: userJid(phone, 'pn') })),
      ),
    ]);
  }
  const item = child(iq, 'item');
  const target = directory.accountForJid(item?.attrs.jid) ?? directory.accountForJid(item?.attrs.pn_jid);
  if (!item || !target) return iqError(iq, 404, 'item-not-found');
  const block = item.attrs.action === 'block';
  account.blocked = account.blocked.filter((phone) => phone !== target.phone);
  if (block) account.blocked.push(target.phone);
  const change = node('notification', { from: SERVER_JID, type: 'account_sync', id: serverId(), t: timestamp() }, [
    node('blocklist', {}, [node('item', { jid: userJid(target.phone, 'pn'), action: block ? 'block' : 'unblock' })]),
  ]);
  ctx.core.deliverToAccount(account, () => change, ref.device);
  return iqResult(iq);
};

export const handleStatusIq: IqHandler = (_ctx, conn, iq) => {
  const account = conn.ref?.account;
  if (!account) return iqError(iq, 401, 'not-authorized');
  const status = text(child(iq, 'status'));
  if (iq.attrs.type === 'set' && status !== undefined) account.status = { text: status, t: Math.floor(Date.now() / 1000) };
  return iqResult(iq);
};

/** Profile pictures of accounts and groups, served by the media server. */
export const handleProfilePictureIq: IqHandler = (ctx, conn, iq) => {
  const ref = conn.ref;
  if (!ref) return iqError(iq, 401, 'not-authorized');
  const targetJid = iq.attrs.target;
  if (iq.attrs.type === 'get') {
    const picture = targetJid ? pictureOf(ctx, targetJid) : ref.account.picture;
    const requested = child(iq, 'picture');
    if (!picture) return iqError(iq, 404, 'item-not-found');
    return iqResult(iq, [
      node('picture', {
        id: picture.id,
        type: requested?.attrs.type ?? 'preview',
        url: `https://${ctx.mediaHost()}${picture.directPath}`,
        direct_path: picture.directPath,
      }),
    ]);
  }
  const image = bytes(child(iq, 'picture'));
  const picture = image ? { id: String(Date.now()), directPath: ctx.media.putPicture(image) } : undefined;
  if (targetJid && isGroupJid(targetJid)) {
    const error = ctx.groups.setPicture(ref, targetJid, picture);
    return error ? iqError(iq, error.code, error.text) : iqResult(iq);
  }
  ref.account.picture = picture;
  return iqResult(iq, picture ? [node('picture', { id: picture.id })] : undefined);
};

function pictureOf(ctx: SimContext, jid: string) {
  if (isGroupJid(jid)) return ctx.groups.get(jid)?.picture;
  return ctx.core.directory.accountForJid(jid)?.picture;
}

/** xmlns=md from a logged-in device: logout. From an unpaired one: pairing-code stages. */
export const handleMdIq: IqHandler = (ctx, conn, iq) => {
  if (child(iq, 'link_code_companion_reg')) return ctx.pairing.onLinkCodeIq(conn, iq);
  const remove = child(iq, 'remove-companion-device');
  if (remove && conn.ref) {
    const target = ctx.core.directory.deviceForJid(remove.attrs.jid);
    if (!target || target.account !== conn.ref.account) return iqError(iq, 404, 'item-not-found');
    conn.send(iqResult(iq));
    unlinkDevice(ctx, target, target.device === conn.ref.device ? 'device' : 'phone');
    return undefined;
  }
  return iqError(iq, 400, 'bad-request');
};
