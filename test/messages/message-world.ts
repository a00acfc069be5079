import { request } from 'undici';
import type { InboxEntry, SendRequest } from '../wa-sim';
import { fromJson } from '../../server/src/db/json';
import { eventually } from '../helpers/eventually';
import type { ConnectedWorld } from '../helpers/whatsapp';

/** Helpers over a connected world whose session "me" sends through the REST API. */
export function messageHelpers(world: () => ConnectedWorld) {
  const api = () => world().gateway.api;
  const send = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    api().post('/api/v1/sessions/me/messages', { key: world().key, body, headers });
  const row = (messageId: string) =>
    world()
      .gateway.ctx.db.selectFrom('Message')
      .selectAll()
      .where('sessionId', '=', world().sessionRowId)
      .where('messageId', '=', messageId)
      .executeTakeFirst();
  type Row = NonNullable<Awaited<ReturnType<typeof row>>>;
  const rowWhere = (messageId: string, accept: (r: Row) => boolean, label = messageId): Promise<Row> =>
    eventually(
      () => row(messageId),
      (r) => !!r && accept(r),
      10_000,
      `message ${label}`,
    ).then((r) => r!);

  return {
    api,
    send,
    row,
    rowWhere,
    /** What the account's own device decrypted, once it matches. */
    inbox: (phone: string, accept: (entry: InboxEntry) => boolean) => world().sim.waitForInbox(phone, accept, 10_000),
    /** Sends through the API, expects 201, and returns the new message id. */
    async sent(body: Record<string, unknown>): Promise<string> {
      const response = await send(body);
      expect({ status: response.status, body: response.body }).toMatchObject({ status: 201 });
      return response.body.messageId;
    },
    /** A message from a contact to us, once the gateway stored it. */
    async received(from: string, message: SendRequest): Promise<string> {
      const { id } = await world().sim.send(from, message);
      await rowWhere(id, () => true);
      return id;
    },
    /** GET returning raw bytes (the JSON client reads text). */
    async rawGet(route: string) {
      const response = await request(`${api().baseUrl}${route}`, { headers: { authorization: `Bearer ${world().key}` } });
      return { status: response.statusCode, headers: response.headers, bytes: Buffer.from(await response.body.arrayBuffer()) };
    },
  };
}

/** A JSON column or proto JSON as an object (MariaDB hands JSON columns back as text). */
export const json = (value: unknown) => fromJson<Record<string, any>>(value);
