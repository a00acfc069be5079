import type { ParticipantChange } from '../whatsapp/operations/groups';

/** WhatsApp's per-participant codes, in words; the codes mean different things for adding and for the other actions. */
const ADD_ERRORS: Record<number, string> = {
  401: 'WhatsApp did not allow adding this person',
  403: 'Their privacy settings do not allow you to add them; send them the invite link instead',
  404: 'Not on WhatsApp',
  408: 'They left the group recently and cannot be added back yet; send them the invite link instead',
  409: 'Already a participant',
  500: 'The group is full',
};

const CHANGE_ERRORS: Record<number, string> = {
  401: 'WhatsApp did not allow this change',
  403: 'Only admins can do this',
  404: 'Not a participant of this group',
  406: 'The group creator cannot be removed or demoted',
};

export function participantError(action: ParticipantChange, status: number): string {
  const known = (action === 'add' ? ADD_ERRORS : CHANGE_ERRORS)[status];
  return known ?? `WhatsApp refused this participant (code ${status})`;
}
