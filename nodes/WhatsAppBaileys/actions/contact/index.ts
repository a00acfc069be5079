import type { INodeProperties } from 'n8n-workflow';
import { modulesOf, resourceDescription, type OperationEntry } from '../operation';
import * as block from './block.operation';
import * as check from './check.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getProfilePicture from './getProfilePicture.operation';
import * as unblock from './unblock.operation';

const operations: OperationEntry[] = [
  {
    name: 'Check Numbers',
    value: 'check',
    action: 'Check whether numbers are on WhatsApp',
    description: 'Check which phone numbers have a WhatsApp account; one item per number with exists true or false and its JID',
    module: check,
  },
  {
    name: 'Get',
    value: 'get',
    action: 'Get a contact',
    description: 'Get a contact with its name, about text and business profile',
    module: get,
  },
  {
    name: 'Get Profile Picture',
    value: 'getProfilePicture',
    action: 'Get the profile picture of a contact',
    description: 'Get the URL of a contact’s or group’s profile picture',
    module: getProfilePicture,
  },
  {
    name: 'Block',
    value: 'block',
    action: 'Block a contact',
    description: 'Block a contact: their messages and calls no longer arrive',
    module: block,
  },
  { name: 'Unblock', value: 'unblock', action: 'Unblock a contact', description: 'Unblock a contact', module: unblock },
  { name: 'Get Many', value: 'getAll', action: 'Get many contacts', description: 'List the contacts of the session', module: getAll },
];

export const description: INodeProperties[] = resourceDescription('contact', operations, 'check');
export const modules = modulesOf(operations);
