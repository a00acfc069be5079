import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { LoginThrottle } from './auth/login-throttle';
import { authenticateRequest } from './auth/request-auth';
import type { AppContext } from './context';
import { dashboardRoutes } from './dashboard/dashboard-routes';
import { apiDocs } from './http/docs';
import { errorHandling, HttpError } from './http/errors';
import { forwardToOwner, isForwarded } from './http/forward-to-owner';
import { healthRoutes } from './http/health-routes';
import { metricsRoutes } from './metrics/metrics-routes';
import { parseTrustProxy } from './http/trust-proxy';
import { ErrorResponse } from './http/schemas';
import { validatorCompiler } from './http/validation';
import { LazyChildLogger } from './logger';
import { activityRoutes } from './usage/activity-routes';
import { usageRoutes } from './usage/usage-routes';
import { authRoutes } from './users/auth-routes';
import { meRoutes } from './users/me-routes';
import { UserResponse } from './users/user-schemas';
import { qrPageRoutes } from './sessions/qr-page';
import { SessionResponse } from './sessions/session-schemas';
import { sessionRoutes } from './sessions/session-routes';
import { ChatResponse } from './chats/chat-schemas';
import { chatReadRoutes } from './chats/chat-read-routes';
import { chatRoutes } from './chats/chat-routes';
import { contactRoutes } from './contacts/contact-routes';
import { groupRoutes } from './groups/group-routes';
import { messageRoutes } from './messages/message-routes';
import { ContactResponse } from './contacts/contact-schemas';
import { contactReadRoutes } from './contacts/contact-read-routes';
import { GroupResponse } from './groups/group-schemas';
import { groupReadRoutes } from './groups/group-read-routes';
import { MessageResponse } from './messages/message-schemas';
import { messageReadRoutes } from './messages/message-read-routes';
import { sendQueueRoutes } from './send-queue/queue-routes';
import { userRoutes } from './users/user-routes';
import { webhookRoutes } from './webhooks/webhook-routes';
import { WebhookResponse } from './webhooks/webhook-schemas';

const tooManyRequests = (_request: unknown, context: { after: string }) =>
  new HttpError(429, `Rate limit exceeded; retry in ${context.after}`);

/** The Fastify app as plugins: cross-cutting concerns first, then public routes, then the authenticated API. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    trustProxy: parseTrustProxy(ctx.config.TRUST_PROXY),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    childLoggerFactory: (logger, bindings, options) =>
      new LazyChildLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler());
  app.addSchema(ErrorResponse);
  app.addSchema(UserResponse);
  for (const schema of [SessionResponse, MessageResponse, ChatResponse, ContactResponse, GroupResponse, WebhookResponse])
    app.addSchema(schema);
  app.decorateRequest('principal', null as never);
  app.decorateRequest('credentialKind', null as never);
  app.decorateRequest('forwarded', false);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    request.forwarded = isForwarded(request, ctx.internalSecret);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    ctx.metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  await app.register(errorHandling);
  await app.register(apiDocs);
  await app.register(healthRoutes(ctx));
  await app.register(metricsRoutes(ctx));
  await app.register(dashboardRoutes());

  await app.register(
    async (api) => {
      await api.register(async (open) => {
        await open.register(rateLimit, {
          max: ctx.config.AUTH_RATE_LIMIT_MAX,
          timeWindow: ctx.config.RATE_LIMIT_WINDOW_MS,
          errorResponseBuilder: tooManyRequests,
        });
        await open.register(authRoutes(ctx));
        await open.register(qrPageRoutes(ctx));
      });

      await api.register(async (secured) => {
        const failedAuths = new LoginThrottle({
          maxFailures: ctx.config.AUTH_FAILURES_PER_ADDRESS,
          windowMs: ctx.config.RATE_LIMIT_WINDOW_MS,
        });
        secured.addHook('onRequest', authenticateRequest(ctx.authenticator, failedAuths));
        // preParsing: after authentication (onRequest), before the body is parsed and validated, so
        // requests refused as malformed or invalid count against the key too.
        await secured.register(rateLimit, {
          max: ctx.config.RATE_LIMIT_MAX,
          timeWindow: ctx.config.RATE_LIMIT_WINDOW_MS,
          hook: 'preParsing',
          keyGenerator: (request) => request.principal.id,
          allowList: (request) => request.forwarded,
          errorResponseBuilder: tooManyRequests,
        });
        // After the rate limit: a request about a session another process runs is counted here, then sent there.
        secured.addHook('preParsing', forwardToOwner(ctx.ownership, ctx.internalSecret));
        secured.addHook('onResponse', (request, reply, done) => {
          if (request.principal && !request.forwarded)
            ctx.usage.record({
              endpoint: request.routeOptions.url ?? 'unknown',
              method: request.method,
              status: reply.statusCode,
              duration: Math.round(reply.elapsedTime),
              userId: request.principal.id,
              timestamp: new Date(),
            });
          done();
        });
        await secured.register(meRoutes(ctx));
        await secured.register(usageRoutes(ctx));
        await secured.register(activityRoutes(ctx));
        await secured.register(userRoutes(ctx));
        await secured.register(sessionRoutes(ctx));
        for (const routes of [chatReadRoutes, messageReadRoutes, contactReadRoutes, groupReadRoutes]) await secured.register(routes(ctx));
        for (const routes of [messageRoutes, sendQueueRoutes, chatRoutes, contactRoutes, groupRoutes, webhookRoutes])
          await secured.register(routes(ctx));
      });
    },
    { prefix: '/api/v1' },
  );

  return app;
}
