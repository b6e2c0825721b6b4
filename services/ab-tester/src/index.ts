import { openDatabase, type Database } from '@faceless/infra';
import type { StageFactoryOptions } from '@faceless/runtime';
import { describeDatabaseTarget, readDatabaseTarget } from './config.ts';
import { createAbTesterStage, databaseError } from './stage.ts';

export { createAbTesterStage, ensureMigrated, databaseError, type AbTesterDeps } from './stage.ts';
export { migrations } from './migrations.ts';
export { readDatabaseTarget, describeDatabaseTarget, type DatabaseTarget } from './config.ts';
export {
  createExperimentRepo, EXPERIMENT_STATUSES,
  type ExperimentRepo, type Experiment, type ExperimentDetail, type ExperimentSummary, type ExperimentStatus,
  type Variant, type Rotation, type NewExperiment,
} from './experiment-repo.ts';

/**
 * The A/B tester on the host's database (options.openDatabase), or, when the host gives none,
 * on PostgreSQL at DATABASE_URL or PGlite in FACELESS_DATA_DIR/db, opened on the first run.
 */
export function createStage(options: StageFactoryOptions) {
  let open = options.openDatabase;
  let location: string | undefined;
  if (!open) {
    const target = readDatabaseTarget(options.env);
    location = describeDatabaseTarget(target);
    open = () => openDatabase(target).catch((err: unknown) => {
      throw databaseError(err, `could not open ${location} (set DATABASE_URL to a reachable PostgreSQL, or unset it for the embedded one)`);
    });
  }
  const openOnce = open;
  let db: Promise<Database> | undefined;
  return createAbTesterStage({
    ...(location ? { location } : {}),
    database() {
      db ??= openOnce().catch((err: unknown) => {
        db = undefined;
        throw err;
      });
      return db;
    },
  });
}
export {
  decide, probabilityBest, expectedLoss, comparePosteriors, posteriorSummary, asciiPosteriorChart, posteriorOf,
  validateVariants, sampleBeta, sampleGamma, sampleNormal, DEFAULT_POLICY, DEFAULT_PRIOR,
  type VariantCounts, type BetaPrior, type DecisionPolicy, type Decision, type SamplingOptions,
  type PosteriorSummary, type PosteriorComparison,
} from './bayes-decision.ts';
export {
  simulateExperiment, simulateMany, sampleBinomial, percentile,
  type SimulationOptions, type SimulationResult, type SimulationBatch,
} from './ab-simulation.ts';
