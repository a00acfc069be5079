/** Something the request names does not exist on WhatsApp (a number, a group). */
export class NotOnWhatsApp extends Error {}

/** The session has no open connection to WhatsApp now. */
export class SessionNotConnectedError extends Error {}

/** Another live gateway process runs the session. */
export class SessionOwnedElsewhereError extends Error {
  constructor(readonly sessionRowId: string) {
    super('the session is running in another gateway process');
  }
}

/** A pairing code for another number is waiting to be typed; only one pairing can run on a socket. */
export class PairingInProgressError extends Error {
  constructor(readonly phone: string) {
    super(`a pairing code for +${phone} is waiting to be entered`);
  }
}
