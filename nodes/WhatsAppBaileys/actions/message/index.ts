import type { INodeProperties } from 'n8n-workflow';
import { modulesOf, resourceDescription, type OperationEntry } from '../operation';
import * as cancelBulk from './cancelBulk.operation';
import * as del from './delete.operation';
import * as downloadMedia from './downloadMedia.operation';
import * as edit from './edit.operation';
import * as forward from './forward.operation';
import * as getBulk from './getBulk.operation';
import * as markRead from './markRead.operation';
import * as sendAudio from './sendAudio.operation';
import * as sendBulk from './sendBulk.operation';
import * as sendContact from './sendContact.operation';
import * as sendDocument from './sendDocument.operation';
import * as sendImage from './sendImage.operation';
import * as sendLocation from './sendLocation.operation';
import * as sendPoll from './sendPoll.operation';
import * as sendPresence from './sendPresence.operation';
import * as sendReaction from './sendReaction.operation';
import * as sendSticker from './sendSticker.operation';
import * as sendText from './sendText.operation';
import * as sendVideo from './sendVideo.operation';

const operations: OperationEntry[] = [
  {
    name: 'Send Text',
    value: 'sendText',
    action: 'Send a text message',
    description: 'Send a text message to a phone number or group',
    module: sendText,
  },
  {
    name: 'Send Image',
    value: 'sendImage',
    action: 'Send an image',
    description: 'Send an image (from binary data or a URL) with an optional caption',
    module: sendImage,
  },
  {
    name: 'Send Video',
    value: 'sendVideo',
    action: 'Send a video',
    description: 'Send a video (from binary data or a URL) with an optional caption',
    module: sendVideo,
  },
  {
    name: 'Send Audio',
    value: 'sendAudio',
    action: 'Send an audio or voice note',
    description: 'Send an audio file, or a voice note (push-to-talk)',
    module: sendAudio,
  },
  {
    name: 'Send Document',
    value: 'sendDocument',
    action: 'Send a document',
    description: 'Send a file such as a PDF, with its file name and an optional caption',
    module: sendDocument,
  },
  {
    name: 'Send Sticker',
    value: 'sendSticker',
    action: 'Send a sticker',
    description: 'Send a WebP image as a sticker',
    module: sendSticker,
  },
  {
    name: 'Send Location',
    value: 'sendLocation',
    action: 'Send a location',
    description: 'Send a map location by latitude and longitude',
    module: sendLocation,
  },
  {
    name: 'Send Contact',
    value: 'sendContact',
    action: 'Send contact cards',
    description: 'Send one or more contact cards (vCards)',
    module: sendContact,
  },
  {
    name: 'Send Poll',
    value: 'sendPoll',
    action: 'Send a poll',
    description: 'Send a poll with 2 to 12 answers',
    module: sendPoll,
  },
  {
    name: 'Send Bulk Text',
    value: 'sendBulk',
    action: 'Send a text to many recipients',
    description: 'Queue one text for up to 1,000 recipients, with {{placeholders}} filled per recipient, sent at the session’s pace',
    module: sendBulk,
  },
  {
    name: 'Get Bulk Send',
    value: 'getBulk',
    action: 'Get the progress of a bulk send',
    description: 'Get a bulk send’s status, counts and every recipient’s outcome',
    module: getBulk,
  },
  {
    name: 'Cancel Bulk Send',
    value: 'cancelBulk',
    action: 'Cancel a bulk send',
    description: 'Cancel the recipients of a bulk send that are not sent yet',
    module: cancelBulk,
  },
  {
    name: 'Send Reaction',
    value: 'sendReaction',
    action: 'React to a message',
    description: 'React to a stored message with an emoji, or remove the reaction',
    module: sendReaction,
  },
  {
    name: 'Edit',
    value: 'edit',
    action: 'Edit a message',
    description: 'Change the text of a text message this session sent (within 15 minutes)',
    module: edit,
  },
  {
    name: 'Delete',
    value: 'delete',
    action: 'Delete a message for everyone',
    description: 'Delete a message for everyone in the chat',
    module: del,
  },
  {
    name: 'Forward',
    value: 'forward',
    action: 'Forward a message',
    description: 'Forward a stored message to another chat',
    module: forward,
  },
  {
    name: 'Mark Chat Read',
    value: 'markRead',
    action: 'Mark a chat as read',
    description: 'Mark received messages of a chat as read (blue ticks for the sender)',
    module: markRead,
  },
  {
    name: 'Send Presence',
    value: 'sendPresence',
    action: 'Send presence',
    description: 'Show online or offline, or typing or recording in a chat',
    module: sendPresence,
  },
  {
    name: 'Download Media',
    value: 'downloadMedia',
    action: 'Download the media of a message',
    description: 'Download the image, video, audio, document or sticker of a stored message as binary data',
    module: downloadMedia,
  },
];

export const description: INodeProperties[] = resourceDescription('message', operations, 'sendText');
export const modules = modulesOf(operations);
