import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection';
import type { IqHandler } from './context';
import type { SimulatorCore } from './core';
import type { AccountRecord, DeviceRef } from './directory';
import {
  groupJid,
  groupMetadataNode,
  type GroupRecord,
  type GroupStore,
  isAdmin,
  isMember,
  newInviteCode,
  participantNode,
} from './group-store';
import { deviceJid, nowSeconds, userJid } from './jid';
import { child, children, firstChild, iqError, iqResult, node, serverId, text, timestamp } from './stanza';

interface GroupError {
  code: number;
  text: string;
}

const FORBIDDEN: GroupError = { code: 403, text: 'forbidden' };
const NOT_FOUND: GroupError = { code: 404, text: 'item-not-found' };
const SETTINGS = new Set(['announcement', 'not_announcement', 'locked', 'unlocked']);
const PARTICIPANT_ACTIONS = new Set(['add', 'remove', 'promote', 'demote']);

export const handleGroupIq: IqHandler = (ctx, conn, iq) => ctx.groups.onIq(conn, iq);

/** w:g2 groups: metadata, membership, settings, invites, `w:gp2` notifications and message fan-out. */
export class GroupService {
  constructor(
    private readonly core: SimulatorCore,
    readonly store: GroupStore,
  ) {}

  get(jid: string): GroupRecord | undefined {
    return this.store.get(jid);
  }

  onIq(conn: ClientConnection, iq: BinaryNode): BinaryNode {
    const ref = conn.ref!;
    const op = firstChild(iq);
    if (!op) return iqError(iq, 400, 'bad-request');
    if (!iq.attrs.to || iq.attrs.to === '@g.us' || iq.attrs.to === 'g.us') return this.onServerIq(ref, iq, op);
    const group = this.store.get(iq.attrs.to);
    if (!group) return iqError(iq, NOT_FOUND.code, NOT_FOUND.text);
    const { account } = ref;
    const isSet = iq.attrs.type === 'set';
    if (!isMember(group, account)) return iqError(iq, FORBIDDEN.code, 'not-authorized');
    if (op.tag === 'query') return iqResult(iq, [this.metadata(group)]);
    if (op.tag === 'invite') {
      if (!isAdmin(group, account)) return iqError(iq, FORBIDDEN.code, 'not-authorized');
      if (isSet) {
        group.inviteCode = newInviteCode();
        this.notify(group, ref, node('invite', { code: group.inviteCode }));
      }
      return iqResult(iq, [node('invite', { code: group.inviteCode })]);
    }
    if (!isSet) return iqError(iq, 400, 'bad-request');
    if (PARTICIPANT_ACTIONS.has(op.tag)) return this.changeParticipants(ref, group, iq, op);
    const adminOnly = SETTINGS.has(op.tag) || group.restrict || op.tag.includes('mode') || op.tag.includes('ephemeral');
    if (adminOnly && !isAdmin(group, account)) return iqError(iq, FORBIDDEN.code, 'not-authorized');
    return this.changeSetting(ref, group, iq, op);
  }

  /** Group message from a member: `<participants>` pkmsgs (sender keys) plus one skmsg for everyone. */
  relay(conn: ClientConnection, msg: BinaryNode): GroupError | undefined {
    const ref = conn.ref!;
    const group = this.store.get(msg.attrs.to!);
    if (!group) return NOT_FOUND;
    if (!isMember(group, ref.account)) return FORBIDDEN;
    if (group.announce && !isAdmin(group, ref.account) && msg.attrs.type !== 'reaction') return FORBIDDEN;
    const { directory } = this.core;
    const perDevice = new Map<string, BinaryNode>();
    for (const to of children(child(msg, 'participants'), 'to')) {
      const target = directory.deviceForJid(to.attrs.jid);
      const enc = child(to, 'enc');
      if (target && enc) perDevice.set(`${target.account.phone}:${target.device.id}`, enc);
    }
    const skmsg = children(msg, 'enc').find((enc) => enc.attrs.type === 'skmsg');
    const direct = children(msg, 'enc').find((enc) => enc.attrs.type !== 'skmsg');
    const retryTarget = msg.attrs.participant ? directory.deviceForJid(msg.attrs.participant) : undefined;
    const deviceIdentity = child(msg, 'device-identity');
    const build = (encs: BinaryNode[]) => {
      const content = [...encs];
      if (deviceIdentity && encs.some((enc) => enc.attrs.type === 'pkmsg')) content.push(deviceIdentity);
      return node(
        'message',
        {
          from: groupJid(group),
          participant: deviceJid(ref.account.lid, 'lid', ref.device.id),
          participant_pn: userJid(ref.account.phone, 'pn'),
          addressing_mode: 'lid',
          id: msg.attrs.id,
          type: msg.attrs.type ?? 'text',
          t: timestamp(),
          notify: ref.account.name,
          edit: msg.attrs.edit,
        },
        content,
      );
    };
    if (retryTarget && direct) {
      if (isMember(group, retryTarget.account)) this.core.deliver(retryTarget, build([direct]));
      return undefined;
    }
    for (const member of this.members(group)) {
      this.core.deliverToAccount(
        member,
        (device) => {
          const encs: BinaryNode[] = [];
          const pk = perDevice.get(`${member.phone}:${device.id}`);
          if (pk) encs.push(pk);
          if (skmsg) encs.push(skmsg);
          return encs.length ? build(encs) : undefined;
        },
        member === ref.account ? ref.device : undefined,
      );
    }
    return undefined;
  }

  members(group: GroupRecord): AccountRecord[] {
    return Object.keys(group.participants)
      .map((phone) => this.core.directory.getAccount(phone))
      .filter((account): account is AccountRecord => !!account);
  }

  setPicture(ref: DeviceRef, jid: string, picture: GroupRecord['picture']): GroupError | undefined {
    const group = this.store.get(jid);
    if (!group) return NOT_FOUND;
    if (!isMember(group, ref.account) || (group.restrict && !isAdmin(group, ref.account))) return FORBIDDEN;
    group.picture = picture;
    this.notifyPicture(group, ref);
    return undefined;
  }

  metadata(group: GroupRecord): BinaryNode {
    return groupMetadataNode(this.core.directory, group);
  }

  private onServerIq(ref: DeviceRef, iq: BinaryNode, op: BinaryNode): BinaryNode {
    const { account } = ref;
    const { directory } = this.core;
    switch (op.tag) {
      case 'create': {
        const members = children(op, 'participant')
          .map((p) => directory.accountForJid(p.attrs.jid))
          .filter((a): a is AccountRecord => !!a);
        const group = this.store.create(account, op.attrs.subject ?? '', members);
        const metadata = this.metadata(group);
        this.notify(group, ref, node('create', {}, [metadata]));
        return iqResult(iq, [metadata]);
      }
      case 'participating': {
        const groups = this.store.all().filter((group) => isMember(group, account));
        return iqResult(iq, [
          node(
            'groups',
            {},
            groups.map((group) => this.metadata(group)),
          ),
        ]);
      }
      case 'leave': {
        for (const g of children(op, 'group')) {
          const group = g.attrs.id ? this.store.get(g.attrs.id) : undefined;
          if (group && isMember(group, account)) this.removeMembers(ref, group, [account]);
        }
        return iqResult(iq, [op]);
      }
      case 'invite': {
        const group = op.attrs.code ? this.store.byInviteCode(op.attrs.code) : undefined;
        if (!group) return iqError(iq, 406, 'not-acceptable');
        if (iq.attrs.type === 'get') return iqResult(iq, [this.metadata(group)]);
        if (!isMember(group, account)) {
          group.participants[account.phone] = 'member';
          this.notify(group, ref, node('add', { reason: 'invite' }, [participantNode(account)]));
        }
        return iqResult(iq, [node('group', { jid: groupJid(group) })]);
      }
      default:
        return iqError(iq, 400, 'bad-request');
    }
  }

  private changeParticipants(ref: DeviceRef, group: GroupRecord, iq: BinaryNode, op: BinaryNode): BinaryNode {
    const { directory } = this.core;
    if (!isAdmin(group, ref.account)) return iqError(iq, FORBIDDEN.code, 'not-authorized');
    const results: BinaryNode[] = [];
    const changed: AccountRecord[] = [];
    for (const p of children(op, 'participant')) {
      const jid = p.attrs.jid ?? '';
      const target = directory.accountForJid(jid);
      const error = !target
        ? '404'
        : op.tag === 'add'
          ? isMember(group, target)
            ? '409'
            : undefined
          : !isMember(group, target)
            ? '404'
            : group.participants[target.phone] === 'superadmin' && op.tag !== 'promote'
              ? '406'
              : undefined;
      results.push(node('participant', { jid, error, phone_number: target ? userJid(target.phone, 'pn') : undefined }));
      if (!error && target) changed.push(target);
    }
    if (changed.length) {
      if (op.tag === 'remove') {
        this.removeMembers(ref, group, changed);
      } else {
        for (const target of changed) {
          group.participants[target.phone] = op.tag === 'promote' ? 'admin' : 'member';
        }
        const roles = op.tag === 'promote' ? 'admin' : undefined;
        this.notify(
          group,
          ref,
          node(
            op.tag,
            {},
            changed.map((a) => participantNode(a, roles)),
          ),
        );
      }
    }
    return iqResult(iq, [node(op.tag, {}, results)]);
  }

  private removeMembers(ref: DeviceRef, group: GroupRecord, removed: AccountRecord[]) {
    const notice = node(
      'remove',
      {},
      removed.map((a) => participantNode(a)),
    );
    const audience = this.members(group);
    for (const account of removed) delete group.participants[account.phone];
    this.notify(group, ref, notice, audience);
    if (!Object.keys(group.participants).length) this.store.delete(group);
  }

  private changeSetting(ref: DeviceRef, group: GroupRecord, iq: BinaryNode, op: BinaryNode): BinaryNode {
    const { account } = ref;
    switch (op.tag) {
      case 'subject': {
        const subject = text(op) ?? '';
        Object.assign(group, { subject, subjectOwner: account.phone, subjectTime: nowSeconds() });
        this.notify(group, ref, node('subject', { subject, s_o: userJid(account.lid, 'lid'), s_t: timestamp() }));
        break;
      }
      case 'description': {
        const body = text(child(op, 'body'));
        const id = op.attrs.id ?? randomBytes(8).toString('hex').toUpperCase();
        group.description = body ? { text: body, id, owner: account.phone, t: nowSeconds() } : undefined;
        const content = body ? [node('body', {}, Buffer.from(body))] : undefined;
        this.notify(group, ref, node('description', { id, delete: body ? undefined : 'true' }, content));
        break;
      }
      case 'announcement':
      case 'not_announcement':
        group.announce = op.tag === 'announcement';
        this.notify(group, ref, node(op.tag, {}));
        break;
      case 'locked':
      case 'unlocked':
        group.restrict = op.tag === 'locked';
        this.notify(group, ref, node(op.tag, {}));
        break;
      case 'ephemeral':
      case 'not_ephemeral':
        group.ephemeral = op.tag === 'ephemeral' ? +(op.attrs.expiration ?? 0) : 0;
        this.notify(group, ref, node(op.tag, { expiration: op.attrs.expiration }));
        break;
      case 'member_add_mode':
        group.memberAddMode = text(op) === 'all_member_add' ? 'all_member_add' : 'admin_add';
        this.notify(group, ref, node('member_add_mode', {}, Buffer.from(group.memberAddMode)));
        break;
      case 'membership_approval_mode':
        group.joinApproval = child(op, 'group_join')?.attrs.state === 'on';
        this.notify(group, ref, op);
        break;
      default:
        return iqError(iq, 400, 'bad-request');
    }
    return iqResult(iq);
  }

  /** `<notification type=w:gp2>` to every member device (and `audience`), except the acting device. */
  private notify(group: GroupRecord, actor: DeviceRef, change: BinaryNode, audience = this.members(group)) {
    const stanza = node(
      'notification',
      {
        from: groupJid(group),
        type: 'w:gp2',
        id: serverId(),
        t: timestamp(),
        participant: userJid(actor.account.lid, 'lid'),
        participant_pn: userJid(actor.account.phone, 'pn'),
        notify: actor.account.name,
        addressing_mode: 'lid',
      },
      [change],
    );
    for (const account of audience) this.core.deliverToAccount(account, () => stanza, actor.device);
  }

  private notifyPicture(group: GroupRecord, actor: DeviceRef) {
    const change = group.picture
      ? node('set', { id: group.picture.id, author: userJid(actor.account.lid, 'lid') })
      : node('delete', { author: userJid(actor.account.lid, 'lid') });
    const stanza = node('notification', { from: groupJid(group), type: 'picture', id: serverId(), t: timestamp() }, [change]);
    for (const account of this.members(group)) this.core.deliverToAccount(account, () => stanza, actor.device);
  }

  /** Chatstate in a group: to every other member's online devices. */
  chatstateToMembers(group: GroupRecord, sender: AccountRecord, stanza: BinaryNode) {
    for (const member of this.members(group)) {
      if (member === sender) continue;
      for (const device of this.core.directory.devicesOf(member)) this.core.sendIfOnline({ account: member, device }, stanza);
    }
  }

  isMember(jid: string, account: AccountRecord): boolean {
    const group = this.store.get(jid);
    return !!group && isMember(group, account);
  }

  summary(group: GroupRecord) {
    return {
      id: groupJid(group),
      subject: group.subject,
      description: group.description?.text,
      announce: group.announce,
      restrict: group.restrict,
      inviteCode: group.inviteCode,
      participants: Object.entries(group.participants).map(([phone, role]) => ({ phone, role })),
    };
  }
}

export type { GroupError };
