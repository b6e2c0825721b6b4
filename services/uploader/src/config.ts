import { resolve } from 'node:path';
import { z } from 'zod';
import { FacelessError, blankAsUnset, expandHome } from '@faceless/runtime';
import { parseSlot } from './publish-slots.ts';
import { CHANNEL_NAME } from './stage.ts';

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

const UploaderEnv = z.object({
  LOCAL_CHANNEL_DIR: z.preprocess(blankAsUnset, z.string().optional()),
  LOCAL_CHANNELS: z.preprocess(blankAsUnset, z.string().default('').refine(
    (v) => list(v).every((c) => CHANNEL_NAME.test(c)),
    'must be comma-separated channel names of a-z, 0-9, "-" and "_" (at most 64 each)',
  )),
  PUBLISH_SLOTS: z.preprocess(blankAsUnset, z.string().default('15:00').refine((v) => {
    try {
      return list(v).map(parseSlot).length > 0;
    } catch {
      return false;
    }
  }, 'must be comma-separated HH:MM times in UTC, e.g. "09:00,15:00"')),
  PUBLISH_LEAD_MINUTES: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(7 * 24 * 60).default(60)),
});

export interface UploaderConfig {
  /** The folder holding one subfolder per local channel. */
  localChannelDir: string;
  /** Channel names published into local folders, besides "local" itself. */
  localChannels: ReadonlySet<string>;
  slots: string[];
  leadMinutes: number;
}


/** Reads the uploader's variables, naming every bad one at once; no variable is needed. */
export function readUploaderConfig(env: Record<string, string | undefined>): UploaderConfig {
  const r = UploaderEnv.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new FacelessError('INVALID_OPTION', `bad uploader environment: ${problems.join('; ')}`, { field: String(r.error.issues[0]?.path[0] ?? '') });
  }
  return {
    localChannelDir: resolve(expandHome(r.data.LOCAL_CHANNEL_DIR ?? '~/.faceless/channels')),
    localChannels: new Set(['local', ...list(r.data.LOCAL_CHANNELS)]),
    slots: list(r.data.PUBLISH_SLOTS),
    leadMinutes: r.data.PUBLISH_LEAD_MINUTES,
  };
}
