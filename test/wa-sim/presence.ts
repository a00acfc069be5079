import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection';
import type { SimContext } from './context';
import type { DeviceRef } from './directory';
import { deviceKey } from './core';
import { addressingOf, isGroupJid, nowSeconds, parseUserJid, userJid } from './jid';
import { firstChild, node } from './stanza';

interface Subscriber {
  ref: DeviceRef;
  /** the jid form the subscriber used, echoed as `from` */
  as: string;
}

/**
 * Online/last-seen presence per account (available while any of its devices said so) relayed to
 * subscribed devices, and chatstates (composing, recording, paused) relayed to the chat's peers.
 * Neither is queued for offline devices.
 */
export class Presence {
  /** phone → device keys currently "available" */
  private readonly available = new Map<string, Set<string>>();
  private readonly lastSeen = new Map<string, number>();
  /** target phone → subscriber device key → subscriber */
  private readonly subscribers = new Map<string, Map<string, Subscriber>>();

  constructor(private readonly ctx: () => SimContext) {}

  onPresence(conn: ClientConnection, presence: BinaryNode): void {
    const ref = conn.ref!;
    const { type, to } = presence.attrs;
    if (type === 'subscribe' && to) {
      const target = this.ctx().core.directory.accountForJid(to);
      const parsed = parseUserJid(to);
      if (!target || !parsed) return;
      const as = userJid(parsed.user, parsed.addressing);
      const subs = this.subscribers.get(target.phone) ?? new Map<string, Subscriber>();
      this.subscribers.set(target.phone, subs);
      subs.set(deviceKey(ref), { ref, as });
      conn.send(this.presenceNode(target.phone, as));
      return;
    }
    const name = presence.attrs.name?.trim();
    if (name && name !== '~' && !to) ref.account.name = name;
    if (type === 'available' || type === 'unavailable') this.setAvailable(ref, type === 'available');
  }

  onChatstate(conn: ClientConnection, chatstate: BinaryNode): void {
    const ctx = this.ctx();
    const sender = conn.ref!;
    const to = chatstate.attrs.to;
    const state = firstChild(chatstate);
    if (!to || !state) return;
    const { directory } = ctx.core;
    if (isGroupJid(to)) {
      const group = ctx.groups.get(to);
      if (!group || !ctx.groups.isMember(to, sender.account)) return;
      const stanza = node('chatstate', { from: to, participant: userJid(sender.account.lid, 'lid') }, [state]);
      ctx.groups.chatstateToMembers(group, sender.account, stanza);
      return;
    }
    const target = directory.accountForJid(to);
    if (!target || target.blocked.includes(sender.account.phone)) return;
    ctx.core.events.emit('chatstate', { from: sender.account.phone, to: target.phone, state: state.tag, at: Date.now() });
    const addressing = addressingOf(to);
    const stanza = node('chatstate', { from: userJid(directory.userOf(sender.account, addressing), addressing) }, [state]);
    for (const device of directory.devicesOf(target)) ctx.core.sendIfOnline({ account: target, device }, stanza);
  }

  onDeviceGone(ref: DeviceRef): void {
    this.setAvailable(ref, false);
  }

  isAvailable(phone: string): boolean {
    return (this.available.get(phone)?.size ?? 0) > 0;
  }

  private setAvailable(ref: DeviceRef, on: boolean) {
    const phone = ref.account.phone;
    const devices = this.available.get(phone) ?? new Set<string>();
    this.available.set(phone, devices);
    const before = devices.size > 0;
    if (on) devices.add(deviceKey(ref));
    else devices.delete(deviceKey(ref));
    const after = devices.size > 0;
    if (before === after) return;
    if (!after) this.lastSeen.set(phone, nowSeconds());
    for (const [key, sub] of this.subscribers.get(phone) ?? []) {
      if (!this.ctx().core.deviceExists(sub.ref)) {
        this.subscribers.get(phone)!.delete(key);
        continue;
      }
      this.ctx().core.sendIfOnline(sub.ref, this.presenceNode(phone, sub.as));
    }
  }

  private presenceNode(phone: string, as: string): BinaryNode {
    if (this.isAvailable(phone)) return node('presence', { from: as });
    const last = this.lastSeen.get(phone);
    return node('presence', { from: as, type: 'unavailable', last: last ? String(last) : 'deny' });
  }
}
