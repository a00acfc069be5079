import { validatorCompiler } from '../http/validation';

/*
 * The send body is a oneOf told apart by `type`. With Ajv's discriminator support a body is checked
 * against its own type's schema only, so errors name the field that is wrong instead of listing why
 * the body matches none of the twelve types. Same rules as everywhere: no coercion, unknown fields
 * rejected, and the body must be a JSON object.
 */
export const sendBodyValidator = validatorCompiler({ discriminator: true });
