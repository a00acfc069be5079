import type { RoutesPlugin } from '../http/typebox';
import { messageActionRoutes } from './message-action-routes';
import { messageSendRoutes } from './message-send-routes';

/** Messages as a person handles them on the phone: send, forward, edit, delete, mark read, presence, media. */
export const messageRoutes: RoutesPlugin = (ctx) => async (app) => {
  await app.register(messageSendRoutes(ctx));
  await app.register(messageActionRoutes(ctx));
};
