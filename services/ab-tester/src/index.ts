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
  type Variant, type Rotation, type NewExperiment, type ExperimentPolicy, DEFAULT_EXPERIMENT_POLICY,
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
  posteriorSummary, asciiPosteriorChart, posteriorOf, validateVariants, sampleBeta, sampleGamma, sampleNormal, DEFAULT_PRIOR,
  type VariantCounts, type BetaPrior, type SamplingOptions, type PosteriorSummary,
} from './pooled-posterior.ts';
export {
  decidePeriods, decideSequentially, checkTimePolicy, rowRotationHours, DEFAULT_TIME_POLICY, DECISION_METRICS, defaultThreshold, timePolicyFor, MANY_VARIANTS_THRESHOLD,
  type PeriodRow, type TimeDecisionPolicy, type Verdict, type SequentialVerdict, type DecisionMetric, type DecideInput, type VariantWindow,
} from './period-decision.ts';
export { fitPeriodModel, sampleEffects, type ModelPeriod, type EffectPosterior } from './period-model.ts';
export {
  simulateRows, simulateTest, simulateMany, sampleBinomial, percentile, variantLabel, DEFAULT_SCENARIO,
  type Scenario, type SimulationResult, type SimulationBatch, type SimulatedData,
} from './ab-simulation.ts';
export {
  createAbTestService, AbTestStartInput, AbTestStopInput, plannedOrder, rotationPlanOf,
  type AbTestService, type AbTestServiceDeps, type ExperimentReport, type VariantReport, type DecisionRecord,
  type ImportResult, type EvaluateResult, type RotationOutcome,
} from './ab-test-service.ts';
export { registerAbTestRoutes } from './abtest-routes.ts';
export { fetchReachReports, type FetchReachReportsDeps, type ReachFetchOutcome } from './reach-reports.ts';
export { createYouTubeVariantPublisher, type YouTubeVariantPublisherDeps } from './youtube-publisher.ts';
export { createRecordingPublisher, type VariantPublisher, type PublishedVariant, type RecordedApply } from './variant-publisher.ts';
export {
  periodAt, pacificDayNumber, pacificMidnight, pacificDayPeriod, parsePacificDate, plannedPosition, variantPositionForPeriod,
  calendarCycle, ROTATION_TIME_ZONE, ROTATION_DESIGNS, type Period, type RotationDesign, type RotationPlan,
} from './rotation-plan.ts';
export {
  parseCsv, parseMetricsCsv, parseReachReport, attributePeriod, normalizeRow, csvFormat, MetricRowInput, MetricRowsInput,
  METRICS_CSV_HEADER, MIN_LIVE_SHARE, type MetricRow, type ReachReportResult, type LiveWindow,
} from './metric-import.ts';
export { readRotateIntervalSec } from './config.ts';
