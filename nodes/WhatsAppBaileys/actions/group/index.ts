import type { INodeProperties } from 'n8n-workflow';
import { modulesOf, resourceDescription, type OperationEntry } from '../operation';
import * as addParticipants from './addParticipants.operation';
import * as create from './create.operation';
import * as demoteParticipants from './demoteParticipants.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getInviteCode from './getInviteCode.operation';
import * as join from './join.operation';
import * as leave from './leave.operation';
import * as promoteParticipants from './promoteParticipants.operation';
import * as removeParticipants from './removeParticipants.operation';
import * as revokeInviteCode from './revokeInviteCode.operation';
import * as updateDescription from './updateDescription.operation';
import * as updateSettings from './updateSettings.operation';
import * as updateSubject from './updateSubject.operation';

const operations: OperationEntry[] = [
  {
    name: 'Create',
    value: 'create',
    action: 'Create a group',
    description: 'Create a group with a subject and participants',
    module: create,
  },
  {
    name: 'Get',
    value: 'get',
    action: 'Get a group',
    description: 'Get a group’s subject, description, settings and participants',
    module: get,
  },
  { name: 'Get Many', value: 'getAll', action: 'Get many groups', description: 'List the groups of the session', module: getAll },
  {
    name: 'Update Subject',
    value: 'updateSubject',
    action: 'Update the subject of a group',
    description: 'Rename a group',
    module: updateSubject,
  },
  {
    name: 'Update Description',
    value: 'updateDescription',
    action: 'Update the description of a group',
    description: 'Change or remove a group’s description',
    module: updateDescription,
  },
  {
    name: 'Update Settings',
    value: 'updateSettings',
    action: 'Update the settings of a group',
    description: 'Choose whether only admins send messages or edit the group info',
    module: updateSettings,
  },
  {
    name: 'Add Participants',
    value: 'addParticipants',
    action: 'Add participants to a group',
    description: 'Add people to a group; the answer has a status per person',
    module: addParticipants,
  },
  {
    name: 'Remove Participants',
    value: 'removeParticipants',
    action: 'Remove participants from a group',
    description: 'Remove people from a group',
    module: removeParticipants,
  },
  {
    name: 'Promote Participants',
    value: 'promoteParticipants',
    action: 'Promote participants to admin',
    description: 'Make group members admins',
    module: promoteParticipants,
  },
  {
    name: 'Demote Participants',
    value: 'demoteParticipants',
    action: 'Demote participants to member',
    description: 'Take admin rights from group members',
    module: demoteParticipants,
  },
  {
    name: 'Get Invite Code',
    value: 'getInviteCode',
    action: 'Get the invite link of a group',
    description: 'Get the group’s invite code and link',
    module: getInviteCode,
  },
  {
    name: 'Revoke Invite Code',
    value: 'revokeInviteCode',
    action: 'Revoke the invite link of a group',
    description: 'Invalidate the current invite link and get a new one',
    module: revokeInviteCode,
  },
  { name: 'Join', value: 'join', action: 'Join a group', description: 'Join a group by its invite code or link', module: join },
  { name: 'Leave', value: 'leave', action: 'Leave a group', description: 'Leave a group', module: leave },
];

export const description: INodeProperties[] = resourceDescription('group', operations, 'create');
export const modules = modulesOf(operations);
