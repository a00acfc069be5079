import { SessionSendWorker, type WorkerServices } from './session-send-worker';

/**
 * One send worker per session runtime this process holds: the session manager reports when a runtime
 * starts and stops (RuntimeObserver), so a process only ever sends for sessions whose socket it has.
 */
export class SendWorkers {
  private readonly workers = new Map<string, SessionSendWorker>();
  private closed = false;

  constructor(private readonly services: WorkerServices) {}

  started(sessionRowId: string): void {
    if (this.closed || this.workers.has(sessionRowId)) return;
    this.workers.set(sessionRowId, new SessionSendWorker(sessionRowId, this.services));
  }

  /** Waits until the session's worker has recorded the row in hand. */
  async stopped(sessionRowId: string): Promise<void> {
    const worker = this.workers.get(sessionRowId);
    this.workers.delete(sessionRowId);
    await worker?.stop();
  }

  wake(sessionRowId: string): void {
    this.workers.get(sessionRowId)?.wake();
  }

  wakeAll(): void {
    for (const worker of this.workers.values()) worker.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.keys()].map((id) => this.stopped(id)));
  }
}
