import type { DomainEvent, DomainEventOf, DomainEventType } from './catalogue';

export type EventHandler<T extends DomainEventType> = (event: DomainEventOf<T>) => void | Promise<void>;
export type AnyEventHandler = (event: DomainEvent) => void | Promise<void>;
export type HandlerErrorReporter = (error: unknown, event: DomainEvent) => void;

/**
 * In-process fan-out of domain events. A failing handler (thrown or rejected) is reported and never reaches
 * the publisher or the other handlers. Durable delivery (webhooks) belongs to an outbox, not to this bus.
 */
export class EventBus {
  private readonly byType = new Map<DomainEventType, Set<AnyEventHandler>>();
  private readonly any = new Set<AnyEventHandler>();

  constructor(private readonly reportError: HandlerErrorReporter = () => {}) {}

  /** Subscribes to one event type; returns the unsubscribe function. */
  on<T extends DomainEventType>(type: T, handler: EventHandler<T>): () => void {
    let handlers = this.byType.get(type);
    if (!handlers) this.byType.set(type, (handlers = new Set()));
    const entry = handler as AnyEventHandler;
    handlers.add(entry);
    return () => handlers.delete(entry);
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onAny(handler: AnyEventHandler): () => void {
    this.any.add(handler);
    return () => this.any.delete(handler);
  }

  /** Hands each event to its handlers in order; the promise settles when asynchronous handlers have, and never rejects. */
  publish(events: readonly DomainEvent[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const event of events) {
      for (const handler of [...(this.byType.get(event.type) ?? []), ...this.any]) {
        const outcome = this.run(handler, event);
        if (outcome) pending.push(outcome);
      }
    }
    return pending.length ? Promise.all(pending).then(() => undefined) : Promise.resolve();
  }

  private run(handler: AnyEventHandler, event: DomainEvent): Promise<void> | undefined {
    try {
      const result = handler(event);
      if (result && typeof (result as Promise<void>).then === 'function') {
        return (result as Promise<void>).then(undefined, (error: unknown) => this.report(error, event));
      }
    } catch (error) {
      this.report(error, event);
    }
    return undefined;
  }

  private report(error: unknown, event: DomainEvent): void {
    try {
      this.reportError(error, event);
    } catch {
      // A broken reporter must not break publishing either.
    }
  }
}
