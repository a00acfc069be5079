import { badRequest } from '../http/errors';

/** Digits only, country code first, as WhatsApp wants them; 7 to 15 digits (E.164). */
export function normalizePhoneNumber(input: string): string {
  const digits = input.replace(/[\s()+-]/g, '');
  if (!/^[0-9]{7,15}$/.test(digits) || digits.startsWith('0')) {
    throw badRequest(`"${input}" is not a phone number in international format (country code first, 7-15 digits)`);
  }
  return digits;
}
