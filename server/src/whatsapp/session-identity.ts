import type { Session } from '../db/database';

/** The parts of a Session row a runtime needs to know who it is. */
export type SessionIdentity = Pick<Session, 'id' | 'sessionId' | 'userId' | 'workflowId'>;

export const sessionIdentity = ({ id, sessionId, userId, workflowId }: SessionIdentity): SessionIdentity => ({
  id,
  sessionId,
  userId,
  workflowId,
});
