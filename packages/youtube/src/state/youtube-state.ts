import { migrate, openFacelessDatabase, type Database } from '@faceless/infra';
import { requireClientId } from '../auth/client-credentials.ts';
import { parseQuotaCosts } from '../auth/quota-costs.ts';
import { readYouTubeConfig, type YouTubeConfig } from '../youtube-config.ts';
import { ChannelTable } from './channel-table.ts';
import { importJsonState, type StateImport } from './json-import.ts';
import { youtubeStateMigrations } from './migrations.ts';
import { PipelineRecordTable } from './pipeline-record-table.ts';
import { QuotaTable } from './quota-table.ts';
import { SlotTable } from './slot-table.ts';
import { ChannelVideoTable } from './video-table.ts';

/** The publishing state in the database: what the uploader, the A/B tester and `faceless channels` share. */
export interface YouTubeState {
  db: Database;
  channels: ChannelTable;
  videos: ChannelVideoTable;
  slots: SlotTable;
  publications: PipelineRecordTable;
  sessions: PipelineRecordTable;
  /** The configured Cloud project's quota ledger (needs GOOGLE_CLIENT_ID), with YOUTUBE_QUOTA_COSTS parsed. */
  ledger(config: Pick<YouTubeConfig, 'clientId' | 'dailyQuota' | 'quotaCosts'>): QuotaTable;
  /** The JSON state files imported when this state was opened (empty after the first time). */
  imported: StateImport[];
}

/**
 * Migrates the publishing tables on `db` and imports, once, the JSON state files an earlier version kept under
 * `dataDir` (channels, quota, video lists, slot books). Safe to call from every replica at once.
 */
export async function openYouTubeState(db: Database, options: { dataDir: string }): Promise<YouTubeState> {
  await migrate(db, youtubeStateMigrations);
  const imported = await importJsonState(db, options.dataDir);
  return {
    db,
    channels: new ChannelTable(db),
    videos: new ChannelVideoTable(db),
    slots: new SlotTable(db),
    publications: new PipelineRecordTable(db, 'youtube_publications'),
    sessions: new PipelineRecordTable(db, 'youtube_upload_sessions'),
    ledger: (config) => new QuotaTable(db, { clientId: requireClientId(config), dailyQuota: config.dailyQuota, costs: parseQuotaCosts(config.quotaCosts) }),
    imported,
  };
}

/**
 * The publishing state of the environment, for the CLI: PostgreSQL at DATABASE_URL, else PGlite under
 * FACELESS_DATA_DIR (shared with the rest of the process). Close it when done.
 */
export async function openYouTubeStateFromEnv(env: Record<string, string | undefined>): Promise<YouTubeState & { close(): Promise<void> }> {
  const config = readYouTubeConfig(env);
  const db = await openFacelessDatabase(env);
  try {
    const state = await openYouTubeState(db, { dataDir: config.dataDir });
    return { ...state, close: () => db.close() };
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
}

/** The channels of the environment (`faceless channels add|list|remove`, `publish --channel`): close when done. */
export async function openChannelStore(env: Record<string, string | undefined>): Promise<ChannelTable & { close(): Promise<void> }> {
  const state = await openYouTubeStateFromEnv(env);
  return Object.assign(state.channels, { close: () => state.close() });
}
