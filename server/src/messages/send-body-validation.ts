import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from '../http/validation';

/*
 * The send body is a oneOf told apart by `type`. With Ajv's discriminator support a body is checked
 * against its own type's schema only, so errors name the field that is wrong instead of listing why
 * the body matches none of the twelve types. Same rules as everywhere: no coercion, unknown fields rejected.
 */
const discriminating = new Ajv({
  allErrors: false,
  useDefaults: true,
  removeAdditional: false,
  strict: false,
  coerceTypes: false,
  discriminator: true,
});
addFormats(discriminating);
const standard = validatorCompiler();

export const sendBodyValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? discriminating.compile(route.schema as object) : standard(route);
