import type { Database } from '@faceless/runtime';
import { QuotaLedger, quotaProjectKey, type QuotaDay, type QuotaLimits } from '../auth/quota-ledger.ts';
import { pacificDay } from '../auth/quota-day.ts';

interface QuotaRow extends Record<string, unknown> {
  units_used: number;
  uploads_used: number;
  exhausted: boolean;
}

/**
 * The quota ledger in the database (table youtube_quota_days, a row per project and Pacific day): a reservation
 * locks the day's row in a transaction, so replicas reserving at once never overspend.
 */
export class QuotaTable extends QuotaLedger {
  readonly project: string;

  constructor(private readonly db: Database, options: QuotaLimits & { clientId: string }) {
    super(options);
    this.project = quotaProjectKey(options.clientId);
  }

  protected async read(day: string): Promise<QuotaDay> {
    const { rows } = await this.db.query<QuotaRow>(
      'SELECT units_used, uploads_used, exhausted FROM youtube_quota_days WHERE project = $1 AND day = $2', [this.project, day],
    );
    return dayOf(day, rows[0]);
  }

  protected update<T>(now: Date, change: (ledger: QuotaDay) => T): Promise<T> {
    const day = pacificDay(now);
    return this.db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO youtube_quota_days (project, day, updated_at) VALUES ($1, $2, $3) ON CONFLICT (project, day) DO NOTHING',
        [this.project, day, now],
      );
      const { rows } = await tx.query<QuotaRow>(
        'SELECT units_used, uploads_used, exhausted FROM youtube_quota_days WHERE project = $1 AND day = $2 FOR UPDATE', [this.project, day],
      );
      const ledger = dayOf(day, rows[0]);
      const before = JSON.stringify(ledger);
      const result = change(ledger);
      if (JSON.stringify(ledger) !== before) {
        await tx.query(
          'UPDATE youtube_quota_days SET units_used = $3, uploads_used = $4, exhausted = $5, updated_at = $6 WHERE project = $1 AND day = $2',
          [this.project, day, ledger.unitsUsed, ledger.uploadsUsed, ledger.exhausted, now],
        );
      }
      return result;
    });
  }
}

function dayOf(day: string, row: QuotaRow | undefined): QuotaDay {
  return { day, unitsUsed: Number(row?.units_used ?? 0), uploadsUsed: Number(row?.uploads_used ?? 0), exhausted: row?.exhausted === true };
}
