import type { Database } from '@faceless/infra';
import { createOperatorMetrics, type Logger, type MetricsRegistry } from '@faceless/runtime';
import { EXPERIMENT_STATUSES } from './experiment-repo.ts';

const COUNT_SQL = 'SELECT status, count(*) AS n FROM experiments GROUP BY status';

/**
 * faceless_abtest_experiments{status}: counted in the database on each scrape, so every replica
 * reports the same shared truth (dashboards take the max). When the database does not answer,
 * the series are dropped rather than left at stale values.
 */
export function registerExperimentMetrics(registry: MetricsRegistry, database: () => Promise<Database>, log: Logger): void {
  createOperatorMetrics(registry, ['abtestExperiments'], {
    collect: {
      abtestExperiments: async (gauge) => {
        try {
          const { rows } = await (await database()).query<{ status: string; n: number | string }>(COUNT_SQL);
          for (const status of EXPERIMENT_STATUSES) gauge.set({ status }, Number(rows.find((r) => r.status === status)?.n ?? 0));
        } catch (err) {
          gauge.reset();
          log.warn('could not count experiments for /metrics', { error: err instanceof Error ? err.message : String(err) });
        }
      },
    },
  });
}
