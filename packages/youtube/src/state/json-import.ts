import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseJsonOrUndefined, type Database, type SqlSession } from '@faceless/runtime';
import { CHANNEL_NAME, ChannelRecord } from '../auth/channel-store.ts';
import { ChannelVideo } from '../channel-videos.ts';

/** The JSON state files of earlier versions, by folder under `<dataDir>/youtube`. */
const KINDS = ['channels', 'quota', 'schedule', 'slots'] as const;
type Kind = (typeof KINDS)[number];

const QuotaFile = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), unitsUsed: z.number().int().nonnegative(), uploadsUsed: z.number().int().nonnegative(), exhausted: z.boolean() });
const ScheduleFile = z.object({ entries: z.array(ChannelVideo) });
const SlotsFile = z.object({ reservations: z.array(z.object({ pipelineId: z.string(), publishAt: z.string(), reservedAt: z.string() })) });

export interface StateImport {
  /** Path under the data folder, e.g. "youtube/channels/science.json". */
  path: string;
  kind: Kind;
  /** Why the file was left out (it stays where it is); absent when imported. */
  skipped?: string;
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Imports the channels, quota ledgers, channel video lists and YouTube slot books that earlier versions kept as
 * JSON files under `<dataDir>/youtube`, once: each file is recorded in state_imports by path and content hash,
 * and left in place. A file changed since its import (an older CLI still writing it) is merged again: channels
 * by the newer authorization, quota by the larger spend, videos and slots by adding what is missing. One
 * transaction under an advisory lock, so replicas starting together import each file once.
 */
export async function importJsonState(db: Database, dataDir: string): Promise<StateImport[]> {
  const found: Array<{ kind: Kind; path: string; name: string; text: string; sha256: string }> = [];
  for (const kind of KINDS) {
    const dir = join(dataDir, 'youtube', kind);
    for (const file of await jsonFiles(dir)) {
      const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      found.push({ kind, path: `youtube/${kind}/${file}`, name: file.slice(0, -'.json'.length), text, sha256: createHash('sha256').update(text).digest('hex') });
    }
  }
  if (found.length === 0) return [];
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('faceless.state_imports'))`);
    const done: StateImport[] = [];
    for (const f of found) {
      const { rows } = await tx.query('SELECT 1 AS seen FROM state_imports WHERE path = $1 AND sha256 = $2', [f.path, f.sha256]);
      if (rows.length > 0) continue;
      const json = parseJsonOrUndefined(f.text);
      const skipped = await importOne(tx, f.kind, f.name, json);
      if (skipped) {
        done.push({ path: f.path, kind: f.kind, skipped });
        continue;
      }
      await tx.query('INSERT INTO state_imports (path, sha256, kind, imported_at) VALUES ($1, $2, $3, now())', [f.path, f.sha256, f.kind]);
      done.push({ path: f.path, kind: f.kind });
    }
    return done;
  });
}

/** Imports one file's content; returns why not when it cannot be read as its kind. */
async function importOne(tx: SqlSession, kind: Kind, name: string, json: unknown): Promise<string | undefined> {
  switch (kind) {
    case 'channels': {
      const parsed = ChannelRecord.safeParse(json);
      if (!parsed.success || parsed.data.name !== name) return 'not a channel record of this name';
      // The later authorization wins (ISO times in UTC compare as text).
      await tx.query(
        `INSERT INTO youtube_channels (name, record, updated_at) VALUES ($1, $2::jsonb, now())
         ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at
         WHERE youtube_channels.record->>'tokenIssuedAt' <= EXCLUDED.record->>'tokenIssuedAt'`,
        [name, JSON.stringify(parsed.data)],
      );
      return undefined;
    }
    case 'quota': {
      const parsed = QuotaFile.safeParse(json);
      if (!parsed.success || !/^[0-9a-f]{16}$/.test(name)) return 'not a quota ledger';
      const q = parsed.data;
      await tx.query(
        `INSERT INTO youtube_quota_days (project, day, units_used, uploads_used, exhausted, updated_at) VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (project, day) DO UPDATE SET
           units_used = GREATEST(youtube_quota_days.units_used, EXCLUDED.units_used),
           uploads_used = GREATEST(youtube_quota_days.uploads_used, EXCLUDED.uploads_used),
           exhausted = youtube_quota_days.exhausted OR EXCLUDED.exhausted`,
        [name, q.day, q.unitsUsed, q.uploadsUsed, q.exhausted],
      );
      return undefined;
    }
    case 'schedule': {
      const parsed = ScheduleFile.safeParse(json);
      if (!parsed.success || !CHANNEL_NAME.test(name)) return 'not a channel video list';
      for (const v of parsed.data.entries) {
        await tx.query(
          'INSERT INTO youtube_channel_videos (channel, video_id, pipeline_id, publish_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
          [name, v.videoId, v.pipelineId, new Date(v.publishAt)],
        );
      }
      return undefined;
    }
    case 'slots': {
      const parsed = SlotsFile.safeParse(json);
      if (!parsed.success || !CHANNEL_NAME.test(name)) return 'not a slot book';
      for (const r of parsed.data.reservations) {
        await tx.query(
          `INSERT INTO publish_slots (target, channel, pipeline_id, publish_at, reserved_at) VALUES ('youtube', $1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [name, r.pipelineId, new Date(r.publishAt), new Date(r.reservedAt)],
        );
      }
      return undefined;
    }
    default:
      return kind satisfies never;
  }
}
