import { createHash } from 'node:crypto';
import { FacelessError, sleep as defaultSleep } from '@faceless/runtime';
import { QUOTA_OPERATIONS, type QuotaCostTable, type QuotaOperation } from './quota-costs.ts';
import { nextReset, pacificDay } from './quota-day.ts';

export interface QuotaRequest {
  op: QuotaOperation;
  count: number;
}

export type QuotaReservation =
  | { ok: true; day: string; units: number; uploads: number; remainingUnits: number }
  | { ok: false; waitUntil: Date; reason: string };

export interface QuotaUsage {
  day: string;
  unitsUsed: number;
  uploadsUsed: number;
  exhausted: boolean;
  dailyQuota: number;
  remainingUnits: number;
  resetsAt: Date;
}

export interface WaitForQuotaOptions {
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to log "quota spent, waiting until …". */
  onWait?: (info: { waitUntil: Date; reason: string }) => void;
}

/** One project's spend on one Pacific day, as a ledger keeps it. */
export interface QuotaDay {
  day: string;
  unitsUsed: number;
  uploadsUsed: number;
  /** Google answered quotaExceeded: whatever the count says, nothing more goes through today. */
  exhausted: boolean;
}

/** The ledger's settings, wherever it is kept. */
export interface QuotaLimits {
  dailyQuota: number;
  costs: QuotaCostTable;
}

/** The name a project's spend is kept under: a hash of its OAuth client id, never the id itself. */
export function quotaProjectKey(clientId: string): string {
  return createHash('sha256').update(clientId).digest('hex').slice(0, 16);
}

/**
 * What one Cloud project has spent of YouTube's daily quota, shared by the CLI, the services and restarts so that
 * they all count against the same day. Reserve before calling; the day resets at midnight Pacific. Where the
 * count is kept (the database's QuotaTable) is the subclass's: `read` and `update`, the latter atomic.
 */
export abstract class QuotaLedger {
  constructor(protected readonly limits: QuotaLimits) {}

  /** The day's spend (zero for a day nothing was spent on). */
  protected abstract read(day: string): Promise<QuotaDay>;
  /** Read-modify-write of the day's spend, atomic against every other writer; saved only when `change` changed it. */
  protected abstract update<T>(now: Date, change: (ledger: QuotaDay) => T): Promise<T>;

  /** Units and uploads a batch of calls takes. */
  cost(ops: readonly QuotaRequest[]): { units: number; uploads: number } {
    let units = 0;
    let uploads = 0;
    for (const { op, count } of ops) {
      if (!(QUOTA_OPERATIONS as readonly string[]).includes(op)) {
        throw new FacelessError('INVALID_INPUT', `unknown quota operation "${String(op)}": use one of ${QUOTA_OPERATIONS.join(', ')}`, { field: 'op' });
      }
      if (!Number.isInteger(count) || count < 0) throw new FacelessError('INVALID_INPUT', `quota count for ${op} must be a whole number ≥ 0, got ${count}`, { field: 'count' });
      units += this.limits.costs.units[op] * count;
      uploads += (this.limits.costs.uploads[op] ?? 0) * count;
    }
    return { units, uploads };
  }

  /** Records the spend if today's quota allows it; otherwise says when to try again. */
  async reserve(ops: readonly QuotaRequest[], now: Date = new Date()): Promise<QuotaReservation> {
    const { units, uploads } = this.cost(ops);
    const { dailyQuota } = this.limits;
    const uploadsPerDay = this.limits.costs.uploadsPerDay;
    if (units > dailyQuota) {
      throw new FacelessError('QUOTA_EXCEEDED', `these YouTube calls need ${units} quota units but the project only has ${dailyQuota} a day (YOUTUBE_DAILY_QUOTA): split the work or ask Google for a quota increase`, { field: 'YOUTUBE_DAILY_QUOTA' });
    }
    if (uploadsPerDay !== undefined && uploads > uploadsPerDay) {
      throw new FacelessError('QUOTA_EXCEEDED', `these YouTube calls need ${uploads} uploads but the project may make ${uploadsPerDay} a day: split the work over several days`, { field: 'YOUTUBE_QUOTA_COSTS' });
    }
    return this.update(now, (ledger): QuotaReservation => {
      const waitUntil = nextReset(now);
      if (ledger.exhausted) return { ok: false, waitUntil, reason: `YouTube said the quota of ${ledger.day} (Pacific) is spent` };
      if (ledger.unitsUsed + units > dailyQuota) {
        return { ok: false, waitUntil, reason: `${ledger.unitsUsed} of ${dailyQuota} units spent on ${ledger.day} (Pacific), ${units} more needed` };
      }
      if (uploadsPerDay !== undefined && ledger.uploadsUsed + uploads > uploadsPerDay) {
        return { ok: false, waitUntil, reason: `${ledger.uploadsUsed} of ${uploadsPerDay} uploads made on ${ledger.day} (Pacific)` };
      }
      ledger.unitsUsed += units;
      ledger.uploadsUsed += uploads;
      return { ok: true, day: ledger.day, units, uploads, remainingUnits: dailyQuota - ledger.unitsUsed };
    });
  }

  /** Reserves, sleeping until the reset at midnight Pacific as often as needed. */
  async waitForQuota(ops: readonly QuotaRequest[], options: WaitForQuotaOptions = {}): Promise<Extract<QuotaReservation, { ok: true }>> {
    const now = options.now ?? (() => new Date());
    const sleep = options.sleep ?? defaultSleep;
    for (;;) {
      if (options.signal?.aborted) throw new FacelessError('CANCELLED', 'cancelled while waiting for YouTube quota');
      const reservation = await this.reserve(ops, now());
      if (reservation.ok) return reservation;
      options.onWait?.({ waitUntil: reservation.waitUntil, reason: reservation.reason });
      // A second past the reset, so that the next reserve is surely on the new day.
      await sleep(Math.max(0, reservation.waitUntil.getTime() - now().getTime()) + 1000, options.signal);
    }
  }

  /** Google answered quotaExceeded: the rest of today (Pacific) is spent, whatever the ledger counted. */
  async markExhausted(now: Date = new Date()): Promise<void> {
    await this.update(now, (ledger) => { ledger.exhausted = true; });
  }

  async usage(now: Date = new Date()): Promise<QuotaUsage> {
    const ledger = await this.read(pacificDay(now));
    const { dailyQuota } = this.limits;
    return {
      day: ledger.day,
      unitsUsed: ledger.unitsUsed,
      uploadsUsed: ledger.uploadsUsed,
      exhausted: ledger.exhausted,
      dailyQuota,
      remainingUnits: ledger.exhausted ? 0 : Math.max(0, dailyQuota - ledger.unitsUsed),
      resetsAt: nextReset(now),
    };
  }
}
