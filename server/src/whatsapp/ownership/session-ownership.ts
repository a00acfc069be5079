import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Db, Session } from '../../db/database';
import {
  claimLease,
  countOrphanedSessions,
  heldButInactive,
  leaseHolder,
  orphanedSessions,
  releaseLease,
  heldLeases,
  type Fence,
} from './lease-repository';
import {
  forgetProcess,
  heartbeat,
  liveProcesses,
  markStopping,
  processRunning,
  pruneDeadProcesses,
  type LiveProcess,
} from './process-registry';

/** Where a session runs or should start: this process, or another one at its address. */
export type Placement = { here: true } | { here: false; processId: string; address: string };

const HERE: Placement = { here: true };
const LOAD_CACHE_MS = 1000;

export interface OwnershipOptions {
  processId: string;
  /** How long a lease lasts without renewal: a crashed process's sessions move on after this. */
  leaseTtlMs: number;
  /** How often leases are renewed and orphaned sessions looked for. */
  renewIntervalMs: number;
}

/** A fence as this process holds it: `takenAt` is performance.now() when the lease was taken. */
export interface HeldFence extends Fence {
  takenAt: number;
}

/** What the session manager tells and is told about the sessions this process runs. */
export interface RunningSessions {
  /** The fences of the sessions running here. */
  fences(): HeldFence[];
  /** Whether this process holds the session (running, or stopped but still held). */
  holds(sessionId: string): boolean;
  /** These leases are gone (taken over, or not renewed in time): close the sockets without writing. */
  lost(sessionRowIds: string[]): void;
  /** These sessions were deactivated, or their users disabled, through another process: stop them and let them go. */
  deactivated(sessionRowIds: string[]): void;
  /** A claimed orphan: run it under this fence. */
  adopt(session: Session, fence: HeldFence): void;
}

const DEAD_PROCESS_ROWS_AFTER_MS = 24 * 3600_000;
const DEAD_PROCESS_PRUNE_INTERVAL_MS = 3600_000;

/**
 * Which process runs which session, kept in MySQL: every running session is held through a lease (owner,
 * epoch), live while its owner's heartbeat is (one row renews all of a process's leases at once). This
 * process beats, claims orphaned sessions up to its fair share of the live processes' load, and stops its
 * own sockets before its heartbeat can go stale (a process cut off from the database must not keep a
 * socket another process is about to open).
 */
export class SessionOwnership {
  private address: string | null = null;
  private running: RunningSessions | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopping = false;
  /** performance.now() when the last successful renewal was sent: local leases are trusted until that + TTL - margin. */
  private renewedAt = 0;
  /** Leases held here without a runtime at the last renewal: released if still so at the next one. */
  private strays = new Set<string>();
  private loads: { at: number; processes: LiveProcess[] } | undefined;
  private prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    readonly options: OwnershipOptions,
  ) {}

  get processId(): string {
    return this.options.processId;
  }

  /** Where other processes reach this one, once it listens. */
  advertise(address: string): void {
    this.address = address;
    void heartbeat(this.db, { id: this.processId, address }).catch((error) => this.log.warn({ err: error }, 'heartbeat failed'));
  }

  /** Joins: beats, claims this process's share of the orphaned sessions (all of them when alone) and keeps doing so. */
  async start(running: RunningSessions): Promise<number> {
    this.running = running;
    this.renewedAt = performance.now();
    const claimed = await this.tick();
    this.tickTimer = setInterval(() => void this.tick(), this.options.renewIntervalMs);
    this.watchdog = setInterval(() => this.checkLocalExpiry(), Math.min(1000, this.options.renewIntervalMs));
    this.tickTimer.unref();
    this.watchdog.unref();
    return claimed;
  }

  /** Takes the session for this process (or finds it already here); undefined while another live process holds it. */
  async acquire(sessionRowId: string): Promise<HeldFence | undefined> {
    if (this.stopping) return undefined;
    const fence = await this.claim(sessionRowId);
    if (fence) return fence;
    const holder = await leaseHolder(this.db, sessionRowId, this.options.leaseTtlMs);
    return holder?.ownerId === this.processId ? { sessionRowId, ...holder, takenAt: performance.now() } : undefined;
  }

  /** Gives a stopped session's lease back at once, so it can run elsewhere without waiting for expiry. */
  async release(fence: Fence): Promise<void> {
    await releaseLease(this.db, fence).catch((error) =>
      this.log.warn({ err: error, sessionRowId: fence.sessionRowId }, 'could not release a session lease; it expires on its own'),
    );
  }

  /**
   * Where requests about the session go: the live process holding it; with `starting`, a session nobody
   * holds goes where a new one would (otherwise it is served here).
   */
  async placementOf(sessionId: string, options: { starting?: boolean } = {}): Promise<Placement> {
    // Held here with a renewal recent enough that no other process can have taken it: no query needed.
    if (this.running?.holds(sessionId) && !this.renewalOverdue()) return HERE;
    const holder = await processRunning(this.db, sessionId, this.options.leaseTtlMs);
    if (holder?.id === this.processId) return HERE;
    if (holder?.address) return { here: false, processId: holder.id, address: holder.address };
    return options.starting ? this.placementOfNew() : HERE;
  }

  /** Where a session nobody runs should start: the live process holding the fewest sessions (this one on a tie). */
  async placementOfNew(): Promise<Placement> {
    if (!this.loads || Date.now() - this.loads.at > LOAD_CACHE_MS)
      this.loads = { at: Date.now(), processes: await liveProcesses(this.db, this.options.leaseTtlMs) };
    const mine = this.loads.processes.find((process) => process.id === this.processId)?.sessions ?? this.running?.fences().length ?? 0;
    const best = this.loads.processes
      .filter((process) => process.id !== this.processId && process.address)
      .reduce<LiveProcess | undefined>((least, process) => (!least || process.sessions < least.sessions ? process : least), undefined);
    if (!best || best.sessions >= mine) return HERE;
    best.sessions++;
    return { here: false, processId: best.id, address: best.address! };
  }

  /** Stops claiming and tells the others this process is going (its sessions are released as they stop). */
  async beginShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.tickTimer);
    await this.ticking;
    await markStopping(this.db, this.processId).catch((error) => this.log.warn({ err: error }, 'could not mark the process stopping'));
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearInterval(this.tickTimer);
    clearInterval(this.watchdog);
    await this.ticking;
    await forgetProcess(this.db, this.processId).catch(() => undefined);
  }

  private tick(): Promise<number> {
    if (this.ticking || this.stopping || !this.running) return Promise.resolve(0);
    const run = this.renewAndClaim(this.running).catch((error) => {
      this.log.warn({ err: error }, 'session lease renewal failed');
      return 0;
    });
    this.ticking = run.then(() => undefined);
    return run.finally(() => (this.ticking = undefined));
  }

  private async renewAndClaim(running: RunningSessions): Promise<number> {
    const sentAt = performance.now();
    await heartbeat(this.db, { id: this.processId, address: this.address });
    this.renewedAt = sentAt;
    const held = await heldLeases(this.db, this.processId);

    const local = running.fences();
    // A lease taken after the renewal was sent is not in `held` yet, and is not lost.
    const lost = local
      .filter((fence) => fence.takenAt < sentAt && held.get(fence.sessionRowId) !== fence.epoch)
      .map((fence) => fence.sessionRowId);
    if (lost.length > 0) {
      this.log.warn({ sessions: lost.length }, 'sessions taken over by another process; closing their sockets here');
      running.lost(lost);
    }
    const runningHere = new Set(local.map((fence) => fence.sessionRowId));
    const strays = new Set<string>();
    for (const [sessionRowId, epoch] of held) {
      if (runningHere.has(sessionRowId)) continue;
      if (this.strays.has(sessionRowId)) await this.release({ sessionRowId, ownerId: this.processId, epoch });
      else strays.add(sessionRowId);
    }
    this.strays = strays;
    if (this.stopping) return 0;
    const deactivated = (await heldButInactive(this.db, this.processId)).filter((id) => runningHere.has(id));
    if (deactivated.length > 0) running.deactivated(deactivated);
    if (Date.now() - this.prunedAt > DEAD_PROCESS_PRUNE_INTERVAL_MS) {
      await pruneDeadProcesses(this.db, DEAD_PROCESS_ROWS_AFTER_MS);
      this.prunedAt = Date.now();
    }
    return this.claimShare(running, local.length - lost.length);
  }

  /** Claims orphaned sessions until this process carries its share: ceil((held + orphaned) / live processes). */
  private async claimShare(running: RunningSessions, mine: number): Promise<number> {
    const orphaned = await countOrphanedSessions(this.db, this.options.leaseTtlMs);
    if (orphaned === 0) return 0;
    const live = await liveProcesses(this.db, this.options.leaseTtlMs);
    const others = live.filter((process) => process.id !== this.processId);
    const total = others.reduce((sum, process) => sum + process.sessions, mine) + orphaned;
    const share = Math.ceil(total / (others.length + 1)) - mine;
    if (share <= 0) return 0;
    let claimed = 0;
    for (const session of await orphanedSessions(this.db, this.options.leaseTtlMs, share)) {
      const fence = await this.claim(session.id);
      if (!fence) continue;
      running.adopt(session, fence);
      claimed++;
    }
    if (claimed > 0) this.log.info({ sessions: claimed }, 'took over sessions nobody was running');
    return claimed;
  }

  private async claim(sessionRowId: string): Promise<HeldFence | undefined> {
    const fence = await claimLease(this.db, sessionRowId, this.processId, this.options.leaseTtlMs);
    return fence && { ...fence, takenAt: performance.now() };
  }

  /** Leases not renewed for nearly their whole lifetime may be taken any moment: stop using them first. */
  private checkLocalExpiry(): void {
    const running = this.running;
    if (!running || !this.renewalOverdue()) return;
    const fences = running.fences();
    if (fences.length === 0) return;
    this.log.error({ sessions: fences.length }, 'session leases could not be renewed in time; closing every socket here');
    running.lost(fences.map((fence) => fence.sessionRowId));
  }

  private renewalOverdue(): boolean {
    return performance.now() - this.renewedAt >= this.options.leaseTtlMs - this.safetyMarginMs;
  }

  private get safetyMarginMs(): number {
    return Math.min(2000, this.options.leaseTtlMs / 4);
  }
}
