import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { STATUS_CODES } from 'node:http';
import { InvalidCursorError } from '../db/cursor';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What a route's body may hold, added to the 413 for a body over its limit. */
    bodyTooLarge?: string;
  }
}

/** An error whose message is meant for the client. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The gateway is busy (429: with this caller's work, 503: with everyone's); answered with Retry-After. */
export class RetryLaterError extends HttpError {
  constructor(
    statusCode: 429 | 503,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(statusCode, message);
  }
}

export const badRequest = (message: string, details?: unknown) => new HttpError(400, message, details);
export const unauthorized = (message = 'Invalid API key or token') => new HttpError(401, message);
export const forbidden = (message: string) => new HttpError(403, message);
export const notFound = (message: string) => new HttpError(404, message);
export const conflict = (message: string) => new HttpError(409, message);

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}

function errorBody(statusCode: number, message: string, details?: unknown): ErrorBody {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  if (details !== undefined) body.details = details;
  return body;
}

/**
 * Statuses the gateway answers on purpose with an explanation (WhatsApp failed or did not answer, a
 * dependency is unavailable): their message is shown. Any other 5xx is an unexpected failure.
 */
const EXPLAINED_5XX = new Set([502, 503, 504]);

/** One error body for every failure; 5xx causes are logged, and shown only for the explained statuses. */
export const errorHandling = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError | HttpError | InvalidCursorError, request, reply) => {
    if ('validation' in error && error.validation) {
      const details = error.validation.map((issue) => ({
        path: `${error.validationContext ?? ''}${issue.instancePath}`,
        message: issue.message,
        ...(issue.keyword === 'additionalProperties'
          ? { property: (issue.params as { additionalProperty?: string }).additionalProperty }
          : {}),
      }));
      return reply.status(400).send(errorBody(400, error.message, details));
    }
    if (error instanceof InvalidCursorError) return reply.status(400).send(errorBody(400, error.message));
    const statusCode = error.statusCode ?? 500;
    if (error instanceof RetryLaterError) reply.header('retry-after', String(error.retryAfterSeconds));
    if ((error as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const allowed = request.routeOptions.config.bodyTooLarge;
      const message = `The request body is larger than this route's limit of ${request.routeOptions.bodyLimit} bytes`;
      return reply.status(413).send(errorBody(413, allowed ? `${message}: ${allowed}` : message));
    }
    if (statusCode >= 500) {
      if (error instanceof RetryLaterError) request.log.warn(error.message);
      else request.log.error({ err: error }, 'request failed');
      const explained = EXPLAINED_5XX.has(statusCode);
      const message = explained ? error.message || (STATUS_CODES[statusCode] ?? 'Error') : 'Internal Server Error';
      return reply.status(statusCode).send(errorBody(statusCode, message));
    }
    if (reply.getHeader('retry-after') === undefined && statusCode === 429) reply.header('retry-after', '1');
    return reply.status(statusCode).send(errorBody(statusCode, error.message, (error as HttpError).details));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(404, `Route ${request.method} ${request.url.split('?')[0]} not found`));
  });
});
