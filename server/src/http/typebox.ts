import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context';

/** A feature's routes: a Fastify plugin built from the shared application context. */
export type RoutesPlugin = (ctx: AppContext) => FastifyPluginAsyncTypebox;
