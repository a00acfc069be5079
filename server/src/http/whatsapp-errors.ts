import { NotOnWhatsApp, SessionNotConnectedError } from '../whatsapp/whatsapp-errors';
import { HttpError } from './errors';

interface BoomLike {
  isBoom: true;
  message: string;
  data?: unknown;
  output: { statusCode: number };
}

const isBoom = (error: unknown): error is BoomLike => (error as BoomLike)?.isBoom === true;

/**
 * What a failed WhatsApp call means for an API client: the session is not connected (409),
 * WhatsApp refused the request (422, with its reason), did not answer (504), or failed (502).
 */
export function toHttpError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof NotOnWhatsApp) return new HttpError(404, error.message);
  if (error instanceof SessionNotConnectedError)
    return new HttpError(409, 'The session is not connected; connect it and wait for status CONNECTED');
  if (!isBoom(error)) return error;
  const whatsappCode = typeof error.data === 'number' && Number.isFinite(error.data) ? error.data : undefined;
  if (whatsappCode !== undefined) {
    const reason = `WhatsApp refused the request: ${error.message} (${whatsappCode})`;
    return new HttpError(whatsappCode >= 400 && whatsappCode < 500 ? 422 : 502, reason);
  }
  const status = error.output.statusCode;
  if (status === 408) return new HttpError(504, 'WhatsApp did not answer in time');
  if (status === 428 || status === 440 || status === 515)
    return new HttpError(409, 'The connection to WhatsApp closed; retry once the session is CONNECTED');
  return new HttpError(502, `WhatsApp error: ${error.message}`);
}
