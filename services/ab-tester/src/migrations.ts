import type { Migration } from '@faceless/infra';

/**
 * The A/B tester's schema, oldest first; applied ones are never edited, only followed. Plain SQL
 * that runs unchanged on PGlite and PostgreSQL 15+: no extensions, ids made in code.
 */
export const migrations: readonly Migration[] = [
  {
    id: '0001-experiments',
    sql: `
CREATE TABLE experiments (
  id text PRIMARY KEY,
  pipeline_id text NOT NULL UNIQUE,
  video_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'stopped', 'decided')),
  rotation_hours integer NOT NULL CHECK (rotation_hours BETWEEN 1 AND 168),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  ended_at timestamptz
);
CREATE INDEX experiments_video_id ON experiments (video_id);

CREATE TABLE variants (
  id text PRIMARY KEY,
  experiment_id text NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  label text NOT NULL,
  thumbnail_key text,
  title text,
  UNIQUE (experiment_id, position),
  UNIQUE (experiment_id, label)
);

-- Which variant is live on the video, and when; the open rotation has no ended_at.
CREATE TABLE rotations (
  id text PRIMARY KEY,
  experiment_id text NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  variant_id text NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL,
  ended_at timestamptz,
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE UNIQUE INDEX rotations_one_open ON rotations (experiment_id) WHERE ended_at IS NULL;
CREATE INDEX rotations_experiment ON rotations (experiment_id, started_at);

-- What a variant earned over a reporting period (YouTube reports arrive about 48 h late, then daily).
CREATE TABLE metric_periods (
  id text PRIMARY KEY,
  variant_id text NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL,
  impressions bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
  clicks bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
  views bigint NOT NULL DEFAULT 0 CHECK (views >= 0),
  avg_view_duration_sec double precision,
  recorded_at timestamptz NOT NULL,
  CHECK (period_end > period_start),
  UNIQUE (variant_id, period_start, period_end)
);

CREATE TABLE decisions (
  id text PRIMARY KEY,
  experiment_id text NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  winner_variant_id text REFERENCES variants (id) ON DELETE SET NULL,
  probability_best double precision CHECK (probability_best BETWEEN 0 AND 1),
  expected_loss double precision CHECK (expected_loss >= 0),
  reason text NOT NULL,
  decided_at timestamptz NOT NULL
);
CREATE INDEX decisions_experiment ON decisions (experiment_id, decided_at);
`,
  },
  {
    // When an experiment may stop (see bayes-decision.ts); defaults are DEFAULT_POLICY.
    id: '0002-experiment-policy',
    sql: `
ALTER TABLE experiments
  ADD COLUMN decision_threshold double precision NOT NULL DEFAULT 0.95 CHECK (decision_threshold > 0 AND decision_threshold <= 1),
  ADD COLUMN max_expected_loss double precision NOT NULL DEFAULT 0.001 CHECK (max_expected_loss >= 0),
  ADD COLUMN min_impressions integer NOT NULL DEFAULT 1000 CHECK (min_impressions >= 0);
CREATE INDEX metric_periods_variant ON metric_periods (variant_id, period_start);
`,
  },
  {
    // Issue 15: the verdict rests on a model with time in it (period-decision.ts). An experiment records
    // the metric it decides on, its rotation design (experiments made before keep round-robin), the
    // launch left out, and its loss bound as a share of the metric (max_expected_loss was in CTR
    // points for the pooled model; kept, no longer read). Running experiments still on the old 0.95
    // default move to the new default, which the simulations set.
    id: '0003-time-aware-decision',
    sql: `
ALTER TABLE experiments
  ADD COLUMN decision_metric text NOT NULL DEFAULT 'ctr' CHECK (decision_metric IN ('ctr', 'watch-time')),
  ADD COLUMN rotation_design text NOT NULL DEFAULT 'round-robin' CHECK (rotation_design IN ('counterbalanced', 'round-robin')),
  ADD COLUMN launch_days double precision NOT NULL DEFAULT 3 CHECK (launch_days >= 0 AND launch_days <= 365),
  ADD COLUMN max_loss_share double precision NOT NULL DEFAULT 0.005 CHECK (max_loss_share >= 0 AND max_loss_share <= 1),
  ADD COLUMN min_periods integer NOT NULL DEFAULT 4 CHECK (min_periods >= 0);
ALTER TABLE experiments ALTER COLUMN rotation_design SET DEFAULT 'counterbalanced';
UPDATE experiments SET decision_threshold = 0.995 WHERE status = 'running' AND decision_threshold = 0.95;
ALTER TABLE experiments ALTER COLUMN decision_threshold SET DEFAULT 0.995;
`,
  },
  {
    // Issue 11: the YouTube channel the video was uploaded to comes with the stage input; experiments made
    // before have none and are looked up in the channel's videos (youtube_channel_videos).
    id: '0004-experiment-channel',
    sql: `
ALTER TABLE experiments ADD COLUMN channel text;
`,
  },
];
