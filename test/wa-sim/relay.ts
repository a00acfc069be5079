import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection';
import type { SimContext } from './context';
import type { DeviceRef } from './directory';
import { type Addressing, addressingOf, deviceJid, isGroupJid, isUserJid, parseUserJid, userJid } from './jid';
import { child, children, node, timestamp } from './stanza';

/**
 * 1:1 message fan-out. The sender's client already encrypted one `<enc>` per device (recipient's
 * devices and its own other devices); the server only routes them, keeping the addressing
 * (PN or LID) the sender used and adding the other form as an alt attribute.
 */
export class Relay {
  constructor(private readonly ctx: () => SimContext) {}

  onMessage(conn: ClientConnection, msg: BinaryNode): void {
    const ctx = this.ctx();
    const sender = conn.ref!;
    const to = msg.attrs.to;
    const id = msg.attrs.id;
    if (!to || !id) return;
    let error: string | undefined;
    if (isGroupJid(to)) {
      const failure = ctx.groups.relay(conn, msg);
      if (failure) error = String(failure.code);
    } else if (isUserJid(to)) {
      this.relayToUsers(ctx, sender, msg);
    }
    conn.send(node('ack', { class: 'message', id, from: to, t: timestamp(), error }));
    const encTypes = [...children(msg, 'enc'), ...children(child(msg, 'participants'), 'to').map((to) => child(to, 'enc')!)]
      .filter(Boolean)
      .map((enc) => enc.attrs.type);
    ctx.core.events.emit('message-relayed', { sender, to, id, encTypes, error });
  }

  private relayToUsers(ctx: SimContext, sender: DeviceRef, msg: BinaryNode) {
    const { directory } = ctx.core;
    const to = msg.attrs.to!;
    const addressing = addressingOf(to);
    const deviceIdentity = child(msg, 'device-identity');
    const targets: { ref: DeviceRef; enc: BinaryNode }[] = [];
    for (const participant of children(child(msg, 'participants'), 'to')) {
      const ref = directory.deviceForJid(participant.attrs.jid);
      const enc = child(participant, 'enc');
      if (ref && enc) targets.push({ ref, enc });
    }
    const direct = child(msg, 'enc');
    if (!targets.length && direct) {
      // a retry resend addressed to exactly one device (device_fanout=false)
      const ref = parseUserJid(to)?.device ? directory.deviceForJid(to) : undefined;
      if (ref) targets.push({ ref, enc: direct });
    }
    const chat = msg.attrs.recipient ?? to;
    for (const { ref, enc } of targets) {
      if (ref.device === sender.device) continue;
      const own = ref.account === sender.account;
      if (!own && ref.account.blocked.includes(sender.account.phone)) continue;
      const content = [enc];
      if (deviceIdentity && enc.attrs.type === 'pkmsg') content.push(deviceIdentity);
      ctx.core.deliver(ref, node('message', this.envelope(ctx, sender, msg, addressing, own ? chat : undefined), content));
    }
  }

  /** from / recipient / alt-addressing attributes of a delivered 1:1 message. */
  private envelope(ctx: SimContext, sender: DeviceRef, msg: BinaryNode, addressing: Addressing, ownCopyChat?: string) {
    const { directory } = ctx.core;
    const other: Addressing = addressing === 'lid' ? 'pn' : 'lid';
    const attrs: Record<string, string | undefined> = {
      from: deviceJid(directory.userOf(sender.account, addressing), addressing, sender.device.id),
      id: msg.attrs.id,
      type: msg.attrs.type ?? 'text',
      t: timestamp(),
      notify: sender.account.name,
      edit: msg.attrs.edit,
      category: msg.attrs.category,
    };
    if (ownCopyChat) {
      const peer = parseUserJid(ownCopyChat);
      const peerAccount = directory.accountForJid(ownCopyChat);
      attrs.recipient = peer ? userJid(peer.user, peer.addressing) : ownCopyChat;
      if (peerAccount) attrs[`peer_recipient_${other}`] = userJid(directory.userOf(peerAccount, other), other);
    } else {
      attrs[`sender_${other}`] = userJid(directory.userOf(sender.account, other), other);
    }
    return attrs;
  }
}
