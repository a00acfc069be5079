import type { Principal } from '../auth/principal';
import type { Db, Session } from '../db/database';
import { badRequest, HttpError, notFound } from '../http/errors';
import { parseJid } from '../http/jid-param';
import { normalizePhoneNumber } from '../sessions/phone-numbers';
import type { SessionService } from '../sessions/session-service';
import { isGroupJid, isLidJid, phoneNumberOf } from '../whatsapp/jids';
import * as contacts from '../whatsapp/operations/contacts';
import type { SessionIngest } from '../whatsapp/session-ingest';
import type { WASocket } from '../whatsapp/socket-factory';
import { findContact } from '../whatsapp/store/read-queries';
import type { ContactRecord } from '../whatsapp/store/records';
import { sessionIdentity } from '../whatsapp/session-identity';

type Batch = Parameters<SessionIngest['apply']>[1];

export interface NumberCheckResult {
  input: string;
  phoneNumber: string;
  exists: boolean;
  jid: string | null;
  lid: string | null;
}

export type ContactDetails = ContactRecord & {
  onWhatsApp: boolean | null;
  about: { text: string; setAt?: Date } | null;
  businessProfile: Record<string, unknown> | null;
};

/** Digits of each number (a phone-number JID is accepted too); all the bad ones are reported together. */
export function parseNumbers(inputs: readonly string[]): string[] {
  const problems: { index: number; value: string; message: string }[] = [];
  const digits = inputs.map((value, index) => {
    try {
      return normalizePhoneNumber(value.trim().replace(/@(s\.whatsapp\.net|c\.us)$/, ''));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      problems.push({ index, value, message: error.message });
      return '';
    }
  });
  if (problems.length) {
    const summary = `${problems.length} numbers are not phone numbers in international format: ${problems.map((p) => `"${p.value}"`).join(', ')}`;
    throw badRequest(problems.length === 1 ? problems[0]!.message : summary, problems);
  }
  return digits;
}

/** A person's JID from the path; groups are not contacts. */
export function parsePersonJid(input: string): string {
  const jid = parseJid(input);
  if (isGroupJid(jid)) throw badRequest(`"${input}" is a group; contacts are people`);
  return jid;
}

/** People on WhatsApp for the REST API: existence checks, profile details, pictures and blocking. */
export class ContactService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly ingest: SessionIngest,
  ) {}

  async check(principal: Principal, sessionId: string, numbers: string[]): Promise<NumberCheckResult[]> {
    const digits = parseNumbers(numbers);
    const answers = await this.sessions.withSocket(principal, sessionId, (socket) => contacts.checkNumbers(socket, [...new Set(digits)]));
    const byPhone = new Map(answers.map((answer) => [answer.phone, answer]));
    return numbers.map((input, index) => {
      const answer = byPhone.get(digits[index]!)!;
      return { input, phoneNumber: answer.phone, exists: answer.exists, jid: answer.jid ?? null, lid: answer.lid ?? null };
    });
  }

  /** The stored contact with what WhatsApp says now (about, business profile, picture); the row is updated. */
  async details(principal: Principal, sessionId: string, input: string): Promise<ContactDetails> {
    const jid = parsePersonJid(input);
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const phoneJid = isLidJid(jid) ? await contacts.phoneJidOfLid(socket, jid) : jid;
      const [check] = phoneJid ? await contacts.checkNumbers(socket, [phoneNumberOf(phoneJid)!]) : [];
      const rowJid = phoneJid ?? jid;
      if (check && !check.exists) {
        const stored = await findContact(this.db, session.id, rowJid);
        if (!stored) throw notFound(`${input} is not on WhatsApp`);
        return { ...stored, onWhatsApp: false, about: null, businessProfile: null };
      }
      const [about, business, picture] = await Promise.all([
        contacts.fetchAbout(socket, rowJid),
        contacts.fetchBusinessProfile(socket, rowJid),
        contacts.fetchProfilePicture(socket, rowJid, 'preview'),
      ]);
      const lid = check?.lid ?? (isLidJid(jid) ? jid : undefined);
      await this.store(socket, session, contacts.contactSeen({ jid: rowJid, lid, pictureUrl: picture ?? null, about: about?.text }));
      const stored = (await findContact(this.db, session.id, rowJid))!;
      return { ...stored, onWhatsApp: check ? true : null, about: about ?? null, businessProfile: business ? { ...business } : null };
    });
  }

  /** The profile picture's URL; 404 when there is none or it is hidden. Contact.profilePicUrl follows. */
  async profilePicture(principal: Principal, sessionId: string, input: string, type: 'image' | 'preview'): Promise<{ url: string }> {
    const jid = parsePersonJid(input);
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      const rowJid = (isLidJid(jid) ? await contacts.phoneJidOfLid(socket, jid) : undefined) ?? jid;
      const url = await contacts.fetchProfilePicture(socket, rowJid, type);
      // Only people WhatsApp knows get a row: a picture proves the account, an existing row was known before.
      if (url || (await findContact(this.db, session.id, rowJid)))
        await this.store(socket, session, contacts.contactSeen({ jid: rowJid, pictureUrl: url ?? null }));
      if (!url) throw notFound(`${input} has no profile picture, or their privacy settings hide it`);
      return { url };
    });
  }

  async setBlocked(principal: Principal, sessionId: string, input: string, blocked: boolean): Promise<ContactRecord> {
    const jid = parsePersonJid(input);
    return this.sessions.withSocket(principal, sessionId, async (socket, session) => {
      await contacts.setBlocked(socket, jid, blocked);
      const rowJid = (isLidJid(jid) ? await contacts.phoneJidOfLid(socket, jid) : undefined) ?? jid;
      await this.store(socket, session, contacts.blockChanged(rowJid, blocked));
      return (await findContact(this.db, session.id, rowJid))!;
    });
  }

  private async store(socket: WASocket, session: Session, batch: Batch): Promise<void> {
    await this.ingest.apply(sessionIdentity(session), batch, socket);
  }
}
