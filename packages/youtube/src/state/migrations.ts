import type { Migration } from '@faceless/infra';

/**
 * The publishing state's schema (channels, quota, the channel's videos, slots, publications, upload sessions),
 * oldest first, in its own list beside the A/B tester's: applied ones are never edited, only followed. Plain
 * SQL that runs unchanged on PGlite and PostgreSQL 15+.
 */
export const youtubeStateMigrations: readonly Migration[] = [
  {
    id: 'youtube-0001-publishing-state',
    sql: `
-- One row per channel added with \`faceless channels add\`; record.refreshToken is encrypted with FACELESS_SECRET_KEY.
CREATE TABLE youtube_channels (
  name text PRIMARY KEY,
  record jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- What a Cloud project spent on a Pacific day; project is a hash of the OAuth client id, never the id.
CREATE TABLE youtube_quota_days (
  project text NOT NULL,
  day text NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  units_used integer NOT NULL DEFAULT 0 CHECK (units_used >= 0),
  uploads_used integer NOT NULL DEFAULT 0 CHECK (uploads_used >= 0),
  exhausted boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (project, day)
);

-- The videos faceless uploaded to each channel: their publish times, and which channel's tokens a video needs.
CREATE TABLE youtube_channel_videos (
  channel text NOT NULL,
  video_id text NOT NULL,
  pipeline_id text NOT NULL,
  publish_at timestamptz NOT NULL,
  PRIMARY KEY (channel, video_id)
);
CREATE INDEX youtube_channel_videos_video ON youtube_channel_videos (video_id);

-- A publish slot reserved before the upload starts; one pipeline per slot per channel, whatever the replica.
CREATE TABLE publish_slots (
  target text NOT NULL,
  channel text NOT NULL,
  pipeline_id text NOT NULL,
  publish_at timestamptz NOT NULL,
  reserved_at timestamptz NOT NULL,
  PRIMARY KEY (target, channel, pipeline_id),
  UNIQUE (target, channel, publish_at)
);

-- A pipeline's YouTube publication (video id, thumbnail, captions, done), written as each step completes.
CREATE TABLE youtube_publications (
  channel text NOT NULL,
  pipeline_id text NOT NULL,
  record jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (channel, pipeline_id)
);

-- The resumable upload's session URI, kept until the video id is recorded, so a crash resumes instead of uploading twice.
CREATE TABLE youtube_upload_sessions (
  channel text NOT NULL,
  pipeline_id text NOT NULL,
  session jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (channel, pipeline_id)
);

-- Which JSON state files of earlier versions were imported (by path under FACELESS_DATA_DIR and content hash).
CREATE TABLE state_imports (
  path text NOT NULL,
  sha256 text NOT NULL,
  kind text NOT NULL,
  imported_at timestamptz NOT NULL,
  PRIMARY KEY (path, sha256)
);
`,
  },
];
