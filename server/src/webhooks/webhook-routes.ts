import { Type } from '@sinclair/typebox';
import { PUBLIC_EVENTS } from '../events/public/catalogue';
import { EnvelopeV1 } from '../events/public/payloads';
import { decodeCursor, encodeCursor } from '../db/cursor';
import { authErrors, errors, Page, PageQuery } from '../http/schemas';
import type { RoutesPlugin } from '../http/typebox';
import {
  CreateWebhookBody,
  DeliveryDetailResponse,
  DeliveryQuery,
  DeliveryResponse,
  EventCatalogueResponse,
  TestResultResponse,
  UpdateWebhookBody,
  WebhookParams,
  WebhookRef,
} from './webhook-schemas';

const tags = ['webhooks'];
const scoped = { ...authErrors, ...errors(404) };

const keyset = (cursor: string | undefined) => {
  if (!cursor) return undefined;
  const [at, id] = decodeCursor(cursor, ['number', 'string']);
  return { createdAt: new Date(at as number), id: id as string };
};

function page<V>(rows: { row: { createdAt: Date; id: string }; view: V }[], limit: number) {
  const last = rows.length > limit ? rows[limit - 1]!.row : undefined;
  return { data: rows.slice(0, limit).map((r) => r.view), nextCursor: last ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
}

/** Webhook registration, the event catalogue, the delivery log and replays. */
export const webhookRoutes: RoutesPlugin = (ctx) => async (app) => {
  const service = ctx.webhooks;
  app.get(
    '/webhooks/events',
    {
      schema: {
        tags,
        summary: 'Every event a webhook can receive, with the JSON schema of its data and an example',
        response: { 200: EventCatalogueResponse, ...authErrors },
      },
    },
    async () => ({ version: 1 as const, envelope: EnvelopeV1, events: PUBLIC_EVENTS.map((info) => ({ ...info })) }),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        summary: 'Register a webhook; the answer holds its signing secret (shown again only on rotation)',
        body: CreateWebhookBody,
        response: { 201: WebhookRef, ...authErrors },
      },
    },
    async (request, reply) => reply.status(201).send(await service.create(request.principal, request.body)),
  );

  app.get(
    '/webhooks',
    {
      schema: { tags, summary: 'Your webhooks, newest first', querystring: PageQuery, response: { 200: Page(WebhookRef), ...authErrors } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      return page(await service.list(request.principal, limit + 1, keyset(cursor)), limit);
    },
  );

  app.get(
    '/webhooks/:id',
    { schema: { tags, summary: 'One webhook (without its secret)', params: WebhookParams, response: { 200: WebhookRef, ...scoped } } },
    async (request) => service.get(request.principal, request.params.id),
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Change url, event, isActive, maxRetries, sessionIds, workflowId or metadata',
        params: WebhookParams,
        body: UpdateWebhookBody,
        response: { 200: WebhookRef, ...scoped },
      },
    },
    async (request) => service.update(request.principal, request.params.id, request.body),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: { tags, summary: 'Delete a webhook and its delivery log', params: WebhookParams, response: { 204: Type.Null(), ...scoped } },
    },
    async (request, reply) => {
      await service.remove(request.principal, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'New signing secret; the old one keeps signing too (a second signature) during the grace period',
        params: WebhookParams,
        response: { 200: WebhookRef, ...scoped },
      },
    },
    async (request) => service.rotateSecret(request.principal, request.params.id),
  );

  app.post(
    '/webhooks/:id/test',
    {
      schema: {
        tags,
        summary: 'Send a signed webhook.test now and see what the receiver answered',
        params: WebhookParams,
        response: { 200: TestResultResponse, ...scoped },
      },
    },
    async (request) => service.test(request.principal, request.params.id),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: "A webhook's deliveries, newest first; filter by status and creation time",
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: Page(DeliveryResponse), ...scoped },
      },
    },
    async (request) => {
      const { limit, cursor, status, from, to } = request.query;
      const rows = await service.deliveriesOf(request.principal, request.params.id, {
        limit: limit + 1,
        before: keyset(cursor),
        status,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      });
      return page(rows, limit);
    },
  );

  app.get(
    '/webhook-deliveries/:id',
    {
      schema: {
        tags,
        summary: 'One delivery: the body sent, the headers, and every attempt with its answer',
        params: WebhookParams,
        response: { 200: DeliveryDetailResponse, ...scoped },
      },
    },
    async (request) => service.delivery(request.principal, request.params.id),
  );

  app.post(
    '/webhook-deliveries/:id/redeliver',
    {
      schema: {
        tags,
        summary: 'Send a delivery again (same event id), whatever its state',
        params: WebhookParams,
        response: { 200: DeliveryResponse, ...scoped },
      },
    },
    async (request) => service.redeliver(request.principal, request.params.id),
  );
};
