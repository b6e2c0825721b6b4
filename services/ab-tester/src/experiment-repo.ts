import { randomUUID } from 'node:crypto';
import type { ExperimentStatus } from '@faceless/contracts';
import type { Database } from '@faceless/infra';
import { DEFAULT_TIME_POLICY, timePolicyFor, type TimeDecisionPolicy } from './period-decision.ts';
import type { RotationDesign } from './rotation-plan.ts';
import { toInt, toIso, toIsoOrNull, toTextOrNull } from './row-values.ts';

export { EXPERIMENT_STATUSES, type ExperimentStatus } from '@faceless/contracts';

export interface Experiment {
  id: string;
  pipelineId: string;
  videoId: string;
  /** The YouTube channel of the video, when the pipeline said (experiments made before: looked up). */
  channel?: string;
  status: ExperimentStatus;
  rotationHours: number;
  /** counterbalanced (ABBA…) after the launch; round-robin for experiments made before it existed. */
  design: RotationDesign;
  /** What it decides on and when it may stop: see TimeDecisionPolicy. */
  policy: ExperimentPolicy;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

/** The stored part of the verdict's policy (draws are the host's). */
export type ExperimentPolicy = Omit<TimeDecisionPolicy, 'draws'>;

const { draws: _draws, ...defaults } = DEFAULT_TIME_POLICY;
export const DEFAULT_EXPERIMENT_POLICY: ExperimentPolicy = defaults;

export interface Variant {
  id: string;
  experimentId: string;
  /** 0 is the variant live when the experiment starts. */
  position: number;
  label: string;
  thumbnailKey: string | null;
  title: string | null;
}

export interface Rotation {
  id: string;
  experimentId: string;
  variantId: string;
  startedAt: string;
  endedAt: string | null;
}

export interface ExperimentDetail extends Experiment {
  variants: Variant[];
  rotations: Rotation[];
}

export interface ExperimentSummary extends Experiment {
  variantCount: number;
}

export interface NewExperiment {
  pipelineId: string;
  videoId: string;
  channel?: string | undefined;
  rotationHours: number;
  variants: readonly { label: string; thumbnailKey?: string | undefined; title?: string | undefined }[];
  policy?: Partial<ExperimentPolicy>;
  now: Date;
}

export interface ExperimentRepo {
  /** Creates the experiment, its variants and the first rotation at once; for a pipeline that has one already, returns it. */
  create(input: NewExperiment): Promise<{ experiment: ExperimentDetail; created: boolean }>;
  get(testId: string): Promise<ExperimentDetail | undefined>;
  listByPipeline(pipelineId: string): Promise<ExperimentSummary[]>;
  /** Newest first, optionally only one status. */
  list(filter?: { status?: ExperimentStatus }): Promise<ExperimentSummary[]>;
  /** The experiment whose id is this id, or starts with it (at least 4 characters) when only one does. */
  resolveId(idOrPrefix: string): Promise<string | undefined>;
}

type Row = Record<string, unknown>;

// One statement, so it is atomic through a pool without a transaction API; ON CONFLICT makes
// a rerun (or a concurrent run) of the same pipeline insert nothing. The variants travel as one
// JSON text parameter because the two drivers serialise arrays of objects differently.
const CREATE_SQL = `
WITH new_experiment AS (
  INSERT INTO experiments (id, pipeline_id, video_id, status, rotation_hours, created_at, updated_at, decision_threshold, max_loss_share, min_impressions,
    decision_metric, rotation_design, launch_days, min_periods, channel)
  VALUES ($1, $2, $3, 'running', $4, $5::timestamptz, $5::timestamptz, $8, $9, $10, $11, 'counterbalanced', $12, $13, $14)
  ON CONFLICT (pipeline_id) DO NOTHING
  RETURNING id
), new_variants AS (
  INSERT INTO variants (id, experiment_id, position, label, thumbnail_key, title)
  SELECT v.id, e.id, v.position, v.label, v.thumbnail_key, v.title
  FROM new_experiment e, jsonb_to_recordset($6::text::jsonb) AS v(id text, position integer, label text, thumbnail_key text, title text)
  RETURNING id, position
), first_rotation AS (
  INSERT INTO rotations (id, experiment_id, variant_id, started_at)
  SELECT $7, e.id, v.id, $5::timestamptz FROM new_experiment e JOIN new_variants v ON v.position = 0
  RETURNING id
)
SELECT id FROM new_experiment`;

function experimentOf(r: Row): Experiment {
  return {
    id: String(r.id),
    pipelineId: String(r.pipeline_id),
    videoId: String(r.video_id),
    ...(r.channel == null ? {} : { channel: String(r.channel) }),
    status: r.status as ExperimentStatus,
    rotationHours: toInt(r.rotation_hours),
    design: r.rotation_design === 'round-robin' ? 'round-robin' : 'counterbalanced',
    policy: {
      metric: r.decision_metric === 'watch-time' ? 'watch-time' : 'ctr',
      threshold: Number(r.decision_threshold ?? DEFAULT_EXPERIMENT_POLICY.threshold),
      maxExpectedLoss: Number(r.max_loss_share ?? DEFAULT_EXPERIMENT_POLICY.maxExpectedLoss),
      minImpressionsPerVariant: r.min_impressions == null ? DEFAULT_EXPERIMENT_POLICY.minImpressionsPerVariant : toInt(r.min_impressions),
      minPeriodsPerVariant: r.min_periods == null ? DEFAULT_EXPERIMENT_POLICY.minPeriodsPerVariant : toInt(r.min_periods),
      launchDays: Number(r.launch_days ?? DEFAULT_EXPERIMENT_POLICY.launchDays),
    },
    createdAt: toIso(r.created_at),
    updatedAt: toIso(r.updated_at),
    endedAt: toIsoOrNull(r.ended_at),
  };
}

function variantOf(r: Row): Variant {
  return {
    id: String(r.id),
    experimentId: String(r.experiment_id),
    position: toInt(r.position),
    label: String(r.label),
    thumbnailKey: toTextOrNull(r.thumbnail_key),
    title: toTextOrNull(r.title),
  };
}

function rotationOf(r: Row): Rotation {
  return {
    id: String(r.id),
    experimentId: String(r.experiment_id),
    variantId: String(r.variant_id),
    startedAt: toIso(r.started_at),
    endedAt: toIsoOrNull(r.ended_at),
  };
}

/** Experiments in PostgreSQL (or PGlite) through the Database port. */
export function createExperimentRepo(db: Database): ExperimentRepo {
  async function get(testId: string): Promise<ExperimentDetail | undefined> {
    const { rows } = await db.query('SELECT * FROM experiments WHERE id = $1', [testId]);
    const row = rows[0];
    if (!row) return undefined;
    const variants = await db.query('SELECT * FROM variants WHERE experiment_id = $1 ORDER BY position', [testId]);
    const rotations = await db.query('SELECT * FROM rotations WHERE experiment_id = $1 ORDER BY started_at, id', [testId]);
    return { ...experimentOf(row), variants: variants.rows.map(variantOf), rotations: rotations.rows.map(rotationOf) };
  }

  async function byPipeline(pipelineId: string): Promise<ExperimentDetail | undefined> {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM experiments WHERE pipeline_id = $1', [pipelineId]);
    return rows[0] ? get(rows[0].id) : undefined;
  }

  return {
    get,

    async create(input) {
      const id = randomUUID();
      const variants = input.variants.map((v, position) => ({
        id: randomUUID(),
        position,
        label: v.label,
        thumbnail_key: v.thumbnailKey ?? null,
        title: v.title ?? null,
      }));
      const { draws: _d, ...policy } = timePolicyFor(input.variants.length, input.policy);
      const { rows } = await db.query(CREATE_SQL, [
        id, input.pipelineId, input.videoId, input.rotationHours, input.now.toISOString(), JSON.stringify(variants), randomUUID(),
        policy.threshold, policy.maxExpectedLoss, policy.minImpressionsPerVariant,
        policy.metric, policy.launchDays, policy.minPeriodsPerVariant, input.channel ?? null,
      ]);
      const created = rows.length > 0;
      const experiment = await byPipeline(input.pipelineId);
      if (!experiment) throw new Error(`experiment for pipeline ${input.pipelineId} vanished right after it was created`);
      return { experiment, created };
    },

    async listByPipeline(pipelineId) {
      const { rows } = await db.query(
        `SELECT e.*, count(v.id) AS variant_count
         FROM experiments e LEFT JOIN variants v ON v.experiment_id = e.id
         WHERE e.pipeline_id = $1 GROUP BY e.id ORDER BY e.created_at, e.id`,
        [pipelineId],
      );
      return rows.map((r) => ({ ...experimentOf(r), variantCount: toInt(r.variant_count) }));
    },

    async list(filter = {}) {
      const { rows } = await db.query(
        `SELECT e.*, count(v.id) AS variant_count
         FROM experiments e LEFT JOIN variants v ON v.experiment_id = e.id
         WHERE ($1::text IS NULL OR e.status = $1) GROUP BY e.id ORDER BY e.created_at DESC, e.id`,
        [filter.status ?? null],
      );
      return rows.map((r) => ({ ...experimentOf(r), variantCount: toInt(r.variant_count) }));
    },

    async resolveId(idOrPrefix) {
      const exact = await db.query('SELECT id FROM experiments WHERE id = $1', [idOrPrefix]);
      if (exact.rows[0]) return String(exact.rows[0].id);
      if (idOrPrefix.length < 4) return undefined;
      const { rows } = await db.query("SELECT id FROM experiments WHERE starts_with(id, $1) LIMIT 2", [idOrPrefix]);
      return rows.length === 1 ? String(rows[0]!.id) : undefined;
    },
  };
}
