import {
  NodeConnectionTypes,
  type IExecuteFunctions,
  type INodeExecutionData,
  type INodeType,
  type INodeTypeDescription,
} from 'n8n-workflow';
import * as chat from './actions/chat';
import * as contact from './actions/contact';
import * as group from './actions/group';
import * as message from './actions/message';
import { router } from './actions/router';
import * as session from './actions/session';
import { listSearch } from './methods';

export class WhatsAppBaileys implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'WhatsApp (Baileys)',
    name: 'whatsAppBaileys',
    icon: { light: 'file:whatsAppBaileys.svg', dark: 'file:whatsAppBaileys.dark.svg' },
    group: ['output'],
    version: 1,
    subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
    description:
      'Send and read WhatsApp messages, and manage groups, contacts, chats and sessions, through a self-hosted Baileys API gateway',
    defaults: { name: 'WhatsApp (Baileys)' },
    usableAsTool: true,
    inputs: [NodeConnectionTypes.Main],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'baileysApi', required: true }],
    properties: [
      {
        displayName: 'Resource',
        name: 'resource',
        type: 'options',
        noDataExpression: true,
        options: [
          { name: 'Chat', value: 'chat', description: 'Archive, pin and mute chats; read their messages' },
          { name: 'Contact', value: 'contact', description: 'Check numbers on WhatsApp; read, block and unblock contacts' },
          { name: 'Group', value: 'group', description: 'Create and manage groups and their participants' },
          { name: 'Message', value: 'message', description: 'Send, edit, delete and forward messages; download media' },
          { name: 'Session', value: 'session', description: 'Create, link, inspect and log out WhatsApp sessions' },
        ],
        default: 'message',
      },
      ...message.description,
      ...group.description,
      ...contact.description,
      ...chat.description,
      ...session.description,
    ],
  };

  methods = { listSearch };

  async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
    return router.call(this);
  }
}
