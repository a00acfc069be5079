import type { GroupParticipantEntry } from './group-row';
import { inChat, isAuthor, mayRevoke, type JidForm, type MessagePlace } from './message-identity';
import type { MessageOperation } from './message-patches';
import type { TargetedOperation } from './message-updates';

export interface AdmissionRules {
  form: JidForm;
  /** This account's phone JID. */
  me?: string;
  /** The stored participants of the message's group. */
  participants?: readonly GroupParticipantEntry[] | null;
}

export interface Admission {
  accepted: MessageOperation[];
  /** Named another chat or direction than the stored message's: meant for another message with the same id. */
  misplaced: TargetedOperation[];
  /** Edits and revokes by someone who may not make them. */
  refused: TargetedOperation[];
}

/**
 * Which changes a stored message takes: those naming its chat (and its direction, when they name one),
 * and of edits and revokes only those its author made, or for a revoke in a group an admin.
 */
export function admitOperations(stored: MessagePlace, operations: readonly TargetedOperation[], rules: AdmissionRules): Admission {
  const admission: Admission = { accepted: [], misplaced: [], refused: [] };
  const { form, me, participants } = rules;
  for (const targeted of operations) {
    const { operation, by } = targeted;
    if (!inChat(stored, targeted.chatId, form) || (targeted.fromMe !== undefined && targeted.fromMe !== stored.fromMe)) {
      admission.misplaced.push(targeted);
    } else if (
      (operation.kind === 'edit' && !(by && isAuthor(stored, by, form))) ||
      (operation.kind === 'revoke' && !(by && mayRevoke(stored, by, participants, me, form)))
    ) {
      admission.refused.push(targeted);
    } else {
      admission.accepted.push(operation);
    }
  }
  return admission;
}
