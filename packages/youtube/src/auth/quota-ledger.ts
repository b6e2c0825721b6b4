import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FacelessError, parseJsonOrUndefined, sleep as defaultSleep, withFileLock, writeFileAtomic } from '@faceless/runtime';
import type { YouTubeConfig } from '../youtube-config.ts';
import { requireClientId } from './client-credentials.ts';
import { QUOTA_OPERATIONS, parseQuotaCosts, type QuotaCostTable, type QuotaOperation } from './quota-costs.ts';
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

const LedgerFile = z.object({
  v: z.literal(1),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  unitsUsed: z.number().int().nonnegative(),
  uploadsUsed: z.number().int().nonnegative(),
  /** Google answered quotaExceeded: whatever the count says, nothing more goes through today. */
  exhausted: z.boolean(),
  updatedAt: z.string(),
});
type LedgerFile = z.infer<typeof LedgerFile>;

export interface QuotaLedgerOptions {
  dataDir: string;
  /** The Cloud project's OAuth client id: quota is per project, shared by all its channels. Hashed for the file name. */
  projectKey: string;
  dailyQuota: number;
  costs: QuotaCostTable;
}

export interface WaitForQuotaOptions {
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to log "quota spent, waiting until …". */
  onWait?: (info: { waitUntil: Date; reason: string }) => void;
}

const LOCK_STALE_MS = 10_000;

/** One project's spend on one Pacific day, as a ledger keeps it. */
export interface QuotaDay {
  day: string;
  unitsUsed: number;
  uploadsUsed: number;
  /** Google answered quotaExceeded: whatever the count says, nothing more goes through today. */
  exhausted: boolean;
}

/** The ledger's settings without where it is kept. */
export type QuotaLimits = Pick<QuotaLedgerOptions, 'dailyQuota' | 'costs'>;

/** The name a project's spend is kept under: a hash of its OAuth client id, never the id itself. */
export function quotaProjectKey(clientId: string): string {
  return createHash('sha256').update(clientId).digest('hex').slice(0, 16);
}

/**
 * What one Cloud project has spent of YouTube's daily quota, shared by the CLI, the services and restarts so that
 * they all count against the same day. Reserve before calling; the day resets at midnight Pacific. Where the
 * count is kept (a file, a database row) is the subclass's: `read` and `update`, the latter atomic.
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

/** The ledger in a file, `<dataDir>/youtube/quota/<hash of the client id>.json`, under a file lock. */
export class FileQuotaLedger extends QuotaLedger {
  readonly file: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: QuotaLedgerOptions) {
    super(options);
    this.file = join(options.dataDir, 'youtube', 'quota', `${quotaProjectKey(options.projectKey)}.json`);
  }

  protected async read(day: string): Promise<LedgerFile> {
    const fresh: LedgerFile = { v: 1, day, unitsUsed: 0, uploadsUsed: 0, exhausted: false, updatedAt: new Date().toISOString() };
    let raw: string;
    try {
      raw = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fresh;
      throw new FacelessError('STORAGE_FAILED', `cannot read the quota ledger ${this.file}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = LedgerFile.safeParse(parseJsonOrUndefined(raw));
    if (!parsed.success) {
      throw new FacelessError('INVALID_INPUT', `the quota ledger ${this.file} is corrupt: delete it (faceless then assumes nothing was spent today)`, { field: 'quota' });
    }
    // A ledger from an earlier day is spent history: the quota has been reset since.
    return parsed.data.day === day ? parsed.data : fresh;
  }

  /** Read-modify-write under a lock (in this process and across processes), saving only when `change` returns. */
  protected update<T>(now: Date, change: (ledger: QuotaDay) => T): Promise<T> {
    const run = async (): Promise<T> => {
      await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
      return withFileLock(this.file, { what: 'the quota ledger', staleMs: LOCK_STALE_MS }, async () => {
        const ledger = await this.read(pacificDay(now));
        const before = JSON.stringify(ledger);
        const result = change(ledger);
        if (JSON.stringify(ledger) !== before) {
          ledger.updatedAt = now.toISOString();
          await this.write(ledger);
        }
        return result;
      });
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  private async write(ledger: LedgerFile): Promise<void> {
    try {
      await writeFileAtomic(this.file, `${JSON.stringify(ledger)}\n`, { mode: 0o600, sync: true });
    } catch (err) {
      throw new FacelessError('STORAGE_FAILED', `cannot write the quota ledger ${this.file}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** The file ledger of the configured Cloud project (keyed by GOOGLE_CLIENT_ID), with YOUTUBE_QUOTA_COSTS parsed; the services use the database's (openYouTubeState). */
export function openQuotaLedger(config: Pick<YouTubeConfig, 'dataDir' | 'clientId' | 'dailyQuota' | 'quotaCosts'>): FileQuotaLedger {
  return new FileQuotaLedger({ dataDir: config.dataDir, projectKey: requireClientId(config), dailyQuota: config.dailyQuota, costs: parseQuotaCosts(config.quotaCosts) });
}
