import type { TargetedOperation } from './mapping/message-updates';

const KEEP_MS = 60_000;
const MAX_MESSAGES = 10_000;

/**
 * Changes that arrived before the message they change was stored: the server's ack and the peer's
 * receipts can overtake our own message's upsert. They wait here, for a minute, for the message to be
 * created, and are applied then. Applying one twice changes nothing (statuses only move forward and
 * receipts merge), so they stay until they expire rather than risk being lost with a rolled-back write.
 */
export class EarlyOperations {
  private readonly byMessage = new Map<string, { operations: TargetedOperation[]; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  hold(operations: readonly TargetedOperation[]): void {
    const at = this.now();
    for (const operation of operations) {
      const entry = this.byMessage.get(operation.messageId) ?? { operations: [], at };
      entry.operations.push(operation);
      this.byMessage.set(operation.messageId, entry);
    }
    this.expire(at);
  }

  /** The held changes of these (just created) messages, oldest first. */
  for(messageIds: Iterable<string>): TargetedOperation[] {
    if (this.byMessage.size === 0) return [];
    this.expire(this.now());
    const found: TargetedOperation[] = [];
    for (const id of messageIds) found.push(...(this.byMessage.get(id)?.operations ?? []));
    return found;
  }

  private expire(now: number): void {
    for (const [id, entry] of this.byMessage) {
      if (now - entry.at <= KEEP_MS && this.byMessage.size <= MAX_MESSAGES) break;
      this.byMessage.delete(id);
    }
  }
}
