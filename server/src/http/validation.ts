import Ajv, { type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, removeAdditional: false, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

type Schema = { type?: unknown; oneOf?: unknown; anyOf?: unknown };

/** A schema that only admits JSON objects: `type: 'object'`, or a oneOf/anyOf of such schemas. */
function isObjectSchema(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const { type, oneOf, anyOf } = schema as Schema;
  if (type === 'object') return true;
  const branches = oneOf ?? anyOf;
  return type === undefined && Array.isArray(branches) && branches.length > 0 && branches.every(isObjectSchema);
}

const NOT_AN_OBJECT: ErrorObject = {
  instancePath: '',
  schemaPath: '#/type',
  keyword: 'type',
  params: { type: 'object' },
  message: 'must be a JSON object',
};

/**
 * Every body is a JSON object: anything else (null, an array, a string, a number, a boolean, JSON sent
 * as text/plain, no body at all where one is required) is a 400 before the schema is even consulted,
 * whatever the schema's shape (a oneOf without `type`, say, would let those through).
 */
function objectsOnly(validate: ValidateFunction): ValidateFunction {
  const guarded = ((data: unknown, context?: Parameters<ValidateFunction>[1]) => {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      guarded.errors = [NOT_AN_OBJECT];
      return false;
    }
    const valid = validate(data, context);
    guarded.errors = validate.errors;
    return valid;
  }) as ValidateFunction;
  // Fastify hands Ajv validators their parent (so defaults can be applied at the root) when it sees schemaEnv.
  guarded.schemaEnv = validate.schemaEnv;
  guarded.schema = validate.schema;
  return guarded;
}

export interface ValidatorOptions {
  /** Honour `discriminator` on oneOf body schemas: a body is checked against its own branch only. */
  discriminator?: boolean;
}

/**
 * Bodies are validated exactly as sent: no type coercion and no silent dropping of unknown fields, and
 * they must be JSON objects (a body schema that is not an object schema is refused when the route is
 * registered). Query strings and path params are text on the wire, so only they are coerced.
 */
export function validatorCompiler(options: ValidatorOptions = {}): FastifySchemaCompiler<unknown> {
  const strict = makeAjv({ coerceTypes: false, discriminator: options.discriminator ?? false });
  const coercing = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart, method, url }) => {
    if (httpPart !== 'body') return coercing.compile(schema as object);
    if (!isObjectSchema(schema)) throw new Error(`The body schema of ${method} ${url} must be a JSON object schema (type: 'object')`);
    return objectsOnly(strict.compile(schema as object));
  };
}

/**
 * preValidation for routes whose body is optional: an absent body counts as `{}`. A body that was sent
 * is validated as it is, so a JSON `null` stays a 400.
 */
export async function absentBodyIsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
