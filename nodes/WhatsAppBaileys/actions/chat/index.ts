import type { INodeProperties } from 'n8n-workflow';
import { modulesOf, resourceDescription, type OperationEntry } from '../operation';
import * as archive from './archive.operation';
import * as getAll from './getAll.operation';
import * as getMessages from './getMessages.operation';
import * as mute from './mute.operation';
import * as pin from './pin.operation';
import * as unarchive from './unarchive.operation';
import * as unmute from './unmute.operation';
import * as unpin from './unpin.operation';

const operations: OperationEntry[] = [
  { name: 'Get Many', value: 'getAll', action: 'Get many chats', description: 'List chats, most recent activity first', module: getAll },
  {
    name: 'Get Messages',
    value: 'getMessages',
    action: 'Get the messages of a chat',
    description: 'List the stored messages of one chat, newest first',
    module: getMessages,
  },
  { name: 'Archive', value: 'archive', action: 'Archive a chat', description: 'Move a chat to the archive', module: archive },
  { name: 'Unarchive', value: 'unarchive', action: 'Unarchive a chat', description: 'Move a chat out of the archive', module: unarchive },
  { name: 'Pin', value: 'pin', action: 'Pin a chat', description: 'Pin a chat to the top of the chat list', module: pin },
  { name: 'Unpin', value: 'unpin', action: 'Unpin a chat', description: 'Unpin a chat', module: unpin },
  { name: 'Mute', value: 'mute', action: 'Mute a chat', description: 'Mute a chat for 8 hours, a week, or until unmuted', module: mute },
  { name: 'Unmute', value: 'unmute', action: 'Unmute a chat', description: 'Unmute a chat', module: unmute },
];

export const description: INodeProperties[] = resourceDescription('chat', operations, 'getAll');
export const modules = modulesOf(operations);
