import {
  NodeApiError,
  NodeConnectionTypes,
  NodeOperationError,
  type IDataObject,
  type IHookFunctions,
  type ILoadOptionsFunctions,
  type INodeExecutionData,
  type INodePropertyOptions,
  type INodeType,
  type INodeTypeDescription,
  type IWebhookFunctions,
  type IWebhookResponseData,
  type JsonObject,
} from 'n8n-workflow';
import { searchSessions, sessionLocator } from '../shared/sessions';
import { baileysApiRequest, type BinaryResponse } from '../shared/transport';
import { droppedBy, eventSetting, isEnvelope, MAX_EVENT_SETTING_LENGTH, mediaOf, toItem, type EventOptions } from './events';
import { matches, registrations, type Registration, type WantedRegistration } from './registrations';
import { signedRequest, verify } from './signature';

interface TriggerOptions extends EventOptions {
  downloadMedia?: boolean;
  binaryPropertyName?: string;
}

interface CatalogueEvent {
  name: string;
  description: string;
  optIn: boolean;
}

/** Events the gateway sends to every webhook whatever its filter, or only on request: never offered. */
const HIDDEN_EVENTS = new Set(['webhook.test']);

const isNotFound = (error: unknown) => error instanceof NodeApiError && error.httpCode === '404';

/** The gateway's event catalogue (`GET /webhooks/events`). */
async function catalogue(this: IHookFunctions | ILoadOptionsFunctions): Promise<CatalogueEvent[]> {
  return ((await baileysApiRequest.call(this, 'GET', '/webhooks/events')) as { events: CatalogueEvent[] }).events;
}

/** What the node's parameters ask the gateway to send, to the URL n8n gives this node in the current mode. */
async function wantedRegistration(this: IHookFunctions): Promise<WantedRegistration> {
  const url = this.getNodeWebhookUrl('default');
  if (!url) throw new NodeOperationError(this.getNode(), 'n8n gave this node no webhook URL');
  const events = this.getNodeParameter('events', []) as string[];
  if (events.length === 0) throw new NodeOperationError(this.getNode(), 'Choose at least one event');
  // The catalogue is only needed when the plain list is too long for the gateway.
  const event = events.join(',').length > MAX_EVENT_SETTING_LENGTH ? eventSetting(events, await catalogue.call(this)) : events.join(',');
  const scope = this.getNodeParameter('sessionScope', 'one') as string;
  const workflowId = this.getWorkflow().id ?? null;
  if (scope === 'workflow') {
    if (!workflowId) throw new NodeOperationError(this.getNode(), 'Save the workflow first: its ID selects the sessions');
    return { url, event, sessionIds: null, workflowId };
  }
  const sessionId = this.getNodeParameter('sessionId', '', { extractValue: true }) as string;
  if (!sessionId) throw new NodeOperationError(this.getNode(), 'Choose a session');
  // No workflowId here: the gateway would then only route the session's events while the session
  // itself is on this workflow. The session id alone selects them.
  return { url, event, sessionIds: [sessionId], workflowId: null };
}

/** Deletes a webhook on the gateway; one that is already gone counts as deleted. */
async function deleteRemote(this: IHookFunctions, webhookId: string): Promise<void> {
  try {
    await baileysApiRequest.call(this, 'DELETE', `/webhooks/${encodeURIComponent(webhookId)}`);
  } catch (error) {
    // NodeApiError hands back an error that already is one (the request helper's), unchanged.
    if (!isNotFound(error)) throw new NodeApiError(this.getNode(), error as JsonObject);
  }
}

export class WhatsAppBaileysTrigger implements INodeType {
  description: INodeTypeDescription = {
    displayName: 'WhatsApp (Baileys) Trigger',
    name: 'whatsAppBaileysTrigger',
    icon: { light: 'file:whatsAppBaileysTrigger.svg', dark: 'file:whatsAppBaileysTrigger.dark.svg' },
    group: ['trigger'],
    version: 1,
    subtitle: '={{$parameter["events"].join(", ")}}',
    description: 'Starts the workflow when your Baileys API gateway reports a WhatsApp event (messages, receipts, chats, groups, sessions)',
    defaults: { name: 'WhatsApp (Baileys) Trigger' },
    inputs: [],
    outputs: [NodeConnectionTypes.Main],
    credentials: [{ name: 'baileysApi', required: true }],
    webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
    properties: [
      {
        displayName: 'Sessions',
        name: 'sessionScope',
        type: 'options',
        options: [
          {
            name: 'One Session',
            value: 'one',
            description: 'Events of the session chosen below',
          },
          {
            name: "All Sessions on This Workflow's Plan",
            value: 'workflow',
            description:
              "Events of every session whose workflow ID on the gateway is this workflow's ID (for an admin key: every user's such sessions)",
          },
        ],
        default: 'one',
      },
      {
        ...sessionLocator,
        displayOptions: { show: { sessionScope: ['one'] } },
      },
      {
        displayName: 'Event Names or IDs',
        name: 'events',
        type: 'multiOptions',
        typeOptions: { loadOptionsMethod: 'getEvents' },
        required: true,
        default: ['messages.upsert'],
        description:
          'The gateway events that start the workflow (messages.upsert: a message arrived or was sent). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
      },
      {
        displayName: 'Options',
        name: 'options',
        type: 'collection',
        placeholder: 'Add Option',
        default: {},
        options: [
          {
            displayName: 'Binary Property',
            name: 'binaryPropertyName',
            type: 'string',
            default: 'data',
            displayOptions: { show: { downloadMedia: [true] } },
            description: 'Name of the binary property to put the media in',
          },
          {
            displayName: 'Download Media',
            name: 'downloadMedia',
            type: 'boolean',
            default: true,
            description: 'Whether to download the image, video, audio, document or sticker of a message into a binary property',
          },
          {
            displayName: 'Ignore Groups',
            name: 'ignoreGroups',
            type: 'boolean',
            default: true,
            description: 'Whether to ignore messages in group chats',
          },
          {
            displayName: 'Ignore Messages Sent by Me',
            name: 'ignoreFromMe',
            type: 'boolean',
            default: true,
            description:
              "Whether to ignore messages the session's own account sent (from the phone, or by this or another workflow: an auto-reply would otherwise trigger itself)",
          },
          {
            displayName: 'Ignore Status Broadcasts',
            name: 'ignoreStatus',
            type: 'boolean',
            default: true,
            description: "Whether to ignore status updates (stories) posted by contacts (chat status{'@'}broadcast)",
          },
        ],
      },
    ],
  };

  methods = {
    listSearch: { searchSessions },
    loadOptions: {
      async getEvents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
        return (await catalogue.call(this))
          .filter((event) => !HIDDEN_EVENTS.has(event.name))
          .map((event) => ({
            name: event.name,
            value: event.name,
            description: event.optIn ? `${event.description} (only sent when chosen by name)` : event.description,
          }));
      },
    },
  };

  webhookMethods = {
    default: {
      /**
       * True when the gateway still holds this URL's webhook with a known secret and the node's
       * current settings; otherwise forgets (and deletes) what is stale so that `create` runs.
       */
      async checkExists(this: IHookFunctions): Promise<boolean> {
        const wanted = await wantedRegistration.call(this);
        const known = registrations(this);
        const registration = known[wanted.url];
        if (!registration?.webhookId || !registration.secret) {
          // Without its secret a registration is useless (no delivery could be checked): replace it.
          if (registration?.webhookId) await deleteRemote.call(this, registration.webhookId);
          delete known[wanted.url];
          return false;
        }
        let remote: IDataObject;
        try {
          remote = (await baileysApiRequest.call(this, 'GET', `/webhooks/${encodeURIComponent(registration.webhookId)}`)) as IDataObject;
        } catch (error) {
          if (!isNotFound(error)) throw new NodeApiError(this.getNode(), error as JsonObject);
          this.logger.info('The gateway no longer has this trigger’s webhook; registering it again', {
            webhookId: registration.webhookId,
          });
          delete known[wanted.url];
          return false;
        }
        if (matches(remote, wanted)) return true;
        await deleteRemote.call(this, registration.webhookId);
        delete known[wanted.url];
        return false;
      },

      async create(this: IHookFunctions): Promise<boolean> {
        const wanted = await wantedRegistration.call(this);
        const body: IDataObject = {
          url: wanted.url,
          event: wanted.event,
          metadata: { source: 'n8n', n8nWorkflowId: this.getWorkflow().id ?? null, node: this.getNode().name, mode: this.getMode() },
        };
        if (wanted.workflowId) body.workflowId = wanted.workflowId;
        if (wanted.sessionIds) body.sessionIds = wanted.sessionIds;
        const created = (await baileysApiRequest.call(this, 'POST', '/webhooks', { body })) as IDataObject;
        if (typeof created.id !== 'string' || typeof created.secret !== 'string') {
          throw new NodeOperationError(this.getNode(), 'The gateway did not return the new webhook’s id and secret');
        }
        registrations(this)[wanted.url] = {
          webhookId: created.id,
          secret: created.secret,
          url: wanted.url,
          event: wanted.event,
          sessionIds: wanted.sessionIds,
          workflowId: wanted.workflowId,
        } satisfies Registration;
        return true;
      },

      async delete(this: IHookFunctions): Promise<boolean> {
        const url = this.getNodeWebhookUrl('default') ?? '';
        const known = registrations(this);
        const registration = known[url];
        if (!registration?.webhookId) return true;
        try {
          await deleteRemote.call(this, registration.webhookId);
        } catch (error) {
          // Keep the id and secret: the next activation finds the webhook again instead of orphaning it.
          this.logger.warn('Could not delete the trigger’s webhook on the gateway', {
            webhookId: registration.webhookId,
            error: (error as Error).message,
          });
          return false;
        }
        delete known[url];
        return true;
      },
    },
  };

  async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
    const req = this.getRequestObject();
    const res = this.getResponseObject();
    const known = registrations(this);
    // The registration of the URL this request came in on (test or production); any of the node's
    // secrets is accepted when n8n cannot tell.
    const arrivedOn = typeof this.getWebhookResourceUrl === 'function' ? this.getWebhookResourceUrl('default') : undefined;
    const own = arrivedOn ? known[arrivedOn] : undefined;
    const secrets = (own ? [own] : Object.values(known)).map((registration) => registration.secret).filter(Boolean);

    const verdict = verify(signedRequest(req.headers, req.rawBody), secrets);
    if (!verdict.valid) {
      res.status(401).json({ message: `Signature check failed: ${verdict.reason}` });
      return { noWebhookResponse: true };
    }

    const envelope = this.getBodyData();
    if (!isEnvelope(envelope)) {
      res.status(400).json({ message: 'Not a gateway event' });
      return { noWebhookResponse: true };
    }
    const events = this.getNodeParameter('events', []) as string[];
    if (!events.includes(envelope.event)) return {};

    const options = this.getNodeParameter('options', {}) as TriggerOptions;
    const item = toItem(envelope);
    if (droppedBy(item, options)) return {};

    const output: INodeExecutionData = { json: item };
    const media = mediaOf(item);
    if (options.downloadMedia && media && item.sessionId && item.messageId) {
      try {
        const download = (await baileysApiRequest.call(
          this,
          'GET',
          `/sessions/${encodeURIComponent(item.sessionId)}/messages/${encodeURIComponent(item.messageId)}/media`,
          { binary: true },
        )) as BinaryResponse;
        const contentType = download.headers['content-type'];
        const mimeType = media.mimetype ?? (Array.isArray(contentType) ? contentType[0] : contentType)?.split(';')[0];
        output.binary = {
          [options.binaryPropertyName || 'data']: await this.helpers.prepareBinaryData(download.body, media.fileName, mimeType),
        };
      } catch (error) {
        // The event is not lost for want of its media: the item says why there is no binary.
        item.mediaError = (error as Error).message;
      }
    }
    return { workflowData: [[output]] };
  }
}
