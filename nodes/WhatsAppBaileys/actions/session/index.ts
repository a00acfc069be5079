import type { INodeProperties } from 'n8n-workflow';
import { modulesOf, resourceDescription, type OperationEntry } from '../operation';
import * as create from './create.operation';
import * as getAll from './getAll.operation';
import * as getPacing from './getPacing.operation';
import * as getQr from './getQr.operation';
import * as getStatus from './getStatus.operation';
import * as logout from './logout.operation';
import * as requestPairingCode from './requestPairingCode.operation';
import * as updatePacing from './updatePacing.operation';

const operations: OperationEntry[] = [
  {
    name: 'Get Many',
    value: 'getAll',
    action: 'Get many sessions',
    description: 'List your WhatsApp sessions with their status',
    module: getAll,
    withoutSession: true,
  },
  {
    name: 'Get Status',
    value: 'getStatus',
    action: 'Get the status of a session',
    description: 'Get a session’s connection status (CONNECTED, QR_REQUIRED, …), phone number and last activity',
    module: getStatus,
  },
  {
    name: 'Get Pacing',
    value: 'getPacing',
    action: 'Get the pacing of a session',
    description: 'Get how fast the session sends paced messages, and how many it sent today',
    module: getPacing,
  },
  {
    name: 'Update Pacing',
    value: 'updatePacing',
    action: 'Update the pacing of a session',
    description: 'Change messages per minute, jitter, typing time, daily cap, or whether single sends are paced',
    module: updatePacing,
  },
  {
    name: 'Get QR Code',
    value: 'getQr',
    action: 'Get the QR code of a session',
    description: 'Get the QR code to scan with WhatsApp (Linked devices) while the session waits for one',
    module: getQr,
  },
  {
    name: 'Request Pairing Code',
    value: 'requestPairingCode',
    action: 'Request a pairing code',
    description: 'Get an 8-character code to type on the phone instead of scanning a QR code',
    module: requestPairingCode,
  },
  {
    name: 'Create',
    value: 'create',
    action: 'Create a session',
    description: 'Create a session and start connecting; then get its QR code or a pairing code',
    module: create,
    withoutSession: true,
  },
  {
    name: 'Logout',
    value: 'logout',
    action: 'Log out a session',
    description: 'Unlink the device from WhatsApp and forget its credentials',
    module: logout,
  },
];

export const description: INodeProperties[] = resourceDescription('session', operations, 'getStatus');
export const modules = modulesOf(operations);
