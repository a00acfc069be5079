import { randomBytes, randomInt } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import type { AccountRecord, Directory } from './directory';
import { nowSeconds, userJid } from './jid';
import { node } from './stanza';

export type GroupRole = 'superadmin' | 'admin' | 'member';

export interface GroupRecord {
  /** user part of the group jid, e.g. 120363012345678901 */
  id: string;
  subject: string;
  subjectOwner: string;
  subjectTime: number;
  creation: number;
  creator: string;
  description?: { text: string; id: string; owner: string; t: number };
  announce: boolean;
  restrict: boolean;
  memberAddMode: 'all_member_add' | 'admin_add';
  joinApproval: boolean;
  ephemeral: number;
  inviteCode: string;
  /** phone → role, in join order */
  participants: Record<string, GroupRole>;
  picture?: { id: string; directPath: string };
}

export const groupJid = (group: GroupRecord) => `${group.id}@g.us`;

export function newInviteCode(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

/** Group records by id; groups are always LID-addressed, like new groups on WhatsApp today. */
export class GroupStore {
  private readonly groups = new Map<string, GroupRecord>();

  constructor(groups: GroupRecord[] = []) {
    for (const group of groups) this.groups.set(group.id, group);
  }

  all(): GroupRecord[] {
    return [...this.groups.values()];
  }

  get(jidOrId: string): GroupRecord | undefined {
    return this.groups.get(jidOrId.split('@')[0]!);
  }

  byInviteCode(code: string): GroupRecord | undefined {
    return this.all().find((group) => group.inviteCode === code);
  }

  create(creator: AccountRecord, subject: string, members: AccountRecord[]): GroupRecord {
    let id: string;
    do id = `120363${String(randomInt(0, 1e12)).padStart(12, '0')}`;
    while (this.groups.has(id));
    const t = nowSeconds();
    const group: GroupRecord = {
      id,
      subject,
      subjectOwner: creator.phone,
      subjectTime: t,
      creation: t,
      creator: creator.phone,
      announce: false,
      restrict: false,
      memberAddMode: 'admin_add',
      joinApproval: false,
      ephemeral: 0,
      inviteCode: newInviteCode(),
      participants: { [creator.phone]: 'superadmin' },
    };
    for (const member of members) if (member !== creator) group.participants[member.phone] = 'member';
    this.groups.set(id, group);
    return group;
  }

  delete(group: GroupRecord): void {
    this.groups.delete(group.id);
  }
}

export function isMember(group: GroupRecord, account: AccountRecord): boolean {
  return account.phone in group.participants;
}

export function isAdmin(group: GroupRecord, account: AccountRecord): boolean {
  const role = group.participants[account.phone];
  return role === 'admin' || role === 'superadmin';
}

export function participantNode(account: AccountRecord, role?: GroupRole, extra: Record<string, string> = {}) {
  return node('participant', {
    jid: userJid(account.lid, 'lid'),
    phone_number: userJid(account.phone, 'pn'),
    type: role && role !== 'member' ? role : undefined,
    ...extra,
  });
}

/** `<group …>` as w:g2 answers carry it (parsed by Baileys' extractGroupMetadata). */
export function groupMetadataNode(directory: Directory, group: GroupRecord, tag = 'group'): BinaryNode {
  const lidOf = (phone: string) => {
    const account = directory.getAccount(phone);
    return account ? userJid(account.lid, 'lid') : undefined;
  };
  const content: BinaryNode[] = [];
  for (const [phone, role] of Object.entries(group.participants)) {
    const account = directory.getAccount(phone);
    if (account) content.push(participantNode(account, role));
  }
  if (group.description) {
    content.push(
      node(
        'description',
        {
          id: group.description.id,
          t: String(group.description.t),
          participant: lidOf(group.description.owner),
          participant_pn: userJid(group.description.owner, 'pn'),
        },
        [node('body', {}, Buffer.from(group.description.text))],
      ),
    );
  }
  if (group.announce) content.push(node('announcement', {}));
  if (group.restrict) content.push(node('locked', {}));
  if (group.joinApproval) content.push(node('membership_approval_mode', {}, [node('group_join', { state: 'on' })]));
  if (group.ephemeral) content.push(node('ephemeral', { expiration: String(group.ephemeral) }));
  content.push(node('member_add_mode', {}, Buffer.from(group.memberAddMode)));
  return node(
    tag,
    {
      id: group.id,
      subject: group.subject,
      s_t: String(group.subjectTime),
      s_o: lidOf(group.subjectOwner),
      s_o_pn: userJid(group.subjectOwner, 'pn'),
      creation: String(group.creation),
      creator: lidOf(group.creator),
      creator_pn: userJid(group.creator, 'pn'),
      addressing_mode: 'lid',
      size: String(Object.keys(group.participants).length),
    },
    content,
  );
}
