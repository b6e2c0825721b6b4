import { mkdir, readFile, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FacelessError, writeFileAtomic } from '@faceless/runtime';
import { EncryptedSecret, encryptSecret } from './token-vault.ts';

export const CHANNEL_NAME = /^[a-z0-9_-]{1,64}$/;
const HH_MM_UTC = /^([01]\d|2[0-3]):[0-5]\d$/;

export const APP_STATUSES = ['testing', 'production'] as const;
export type AppStatus = (typeof APP_STATUSES)[number];

export const ChannelDefaults = z.object({
  /** BCP-47 language of the channel's videos (snippet.defaultLanguage). */
  language: z.string().min(2).max(35).default('en'),
  /** 27 = Education. */
  categoryId: z.string().regex(/^\d+$/).default('27'),
  privacyStatus: z.enum(['private', 'unlisted', 'public']).default('private'),
  madeForKids: z.boolean().default(false),
  /** Publishing times of day, HH:MM in UTC. */
  slots: z.array(z.string().regex(HH_MM_UTC, 'must be HH:MM (UTC), e.g. 15:00')).min(1).default(['15:00']),
});
export type ChannelDefaults = z.infer<typeof ChannelDefaults>;

/** One file per channel; the refresh token is only ever stored encrypted. */
export const ChannelRecord = z.object({
  name: z.string().regex(CHANNEL_NAME, 'must be 1-64 characters of a-z 0-9 _ -'),
  channelId: z.string().min(1).optional(),
  channelTitle: z.string().optional(),
  refreshToken: EncryptedSecret,
  tokenIssuedAt: z.iso.datetime({ offset: true }),
  /** Refresh tokens of OAuth apps in "Testing" status expire after 7 days. */
  appStatus: z.enum(APP_STATUSES).default('testing'),
  /** 'web': authorized from the dashboard with GOOGLE_WEB_CLIENT_ID, whose credentials refresh it; absent: GOOGLE_CLIENT_ID. */
  oauthClient: z.literal('web').optional(),
  defaults: ChannelDefaults.prefault({}),
});
export type ChannelRecord = z.infer<typeof ChannelRecord>;
export type ChannelRecordInput = z.input<typeof ChannelRecord>;

const ADD = (name: string): string => `faceless channels add ${name}`;

export function assertChannelName(name: string): string {
  if (!CHANNEL_NAME.test(name)) {
    throw new FacelessError('INVALID_INPUT', `channel name "${name.slice(0, 80)}" must be 1-64 characters of a-z 0-9 _ - (e.g. "science-en")`, { field: 'channel' });
  }
  return name;
}

export interface NewChannelRecord {
  name: string;
  refreshToken: string;
  secretKey: string | undefined;
  now?: Date;
  channelId?: string;
  channelTitle?: string;
  appStatus?: AppStatus;
  /** The client that issued the refresh token, when it is the dashboard's web client. */
  oauthClient?: 'web';
  defaults?: Partial<ChannelDefaults>;
  /** The record being replaced (re-authorizing a channel): its defaults, ids and status are kept unless given. */
  previous?: ChannelRecord;
}

/** A record for a freshly authorized channel, with the refresh token encrypted. */
export async function createChannelRecord(input: NewChannelRecord): Promise<ChannelRecord> {
  const previous = input.previous;
  return ChannelRecord.parse({
    name: assertChannelName(input.name),
    channelId: input.channelId ?? previous?.channelId,
    channelTitle: input.channelTitle ?? previous?.channelTitle,
    refreshToken: await encryptSecret(input.refreshToken, input.secretKey),
    tokenIssuedAt: (input.now ?? new Date()).toISOString(),
    appStatus: input.appStatus ?? previous?.appStatus ?? 'testing',
    // A new refresh token belongs to the client that issued it now, never to the previous one.
    ...(input.oauthClient ? { oauthClient: input.oauthClient } : {}),
    defaults: { ...previous?.defaults, ...input.defaults },
  });
}

/** The record checked against the schema, or INVALID_INPUT naming each bad field. */
export function validChannelRecord(record: ChannelRecordInput): ChannelRecord {
  const parsed = ChannelRecord.safeParse(record);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'record'} ${i.message}`);
    throw new FacelessError('INVALID_INPUT', `invalid channel record: ${problems.join('; ')}`, { field: String(parsed.error.issues[0]?.path.join('.') ?? '') });
  }
  return parsed.data;
}

/** NOT_FOUND for a channel nobody added, listing the known ones and the command that adds it. */
export function unknownChannelError(name: string, known: readonly string[]): FacelessError {
  const list = known.length > 0 ? `known channels: ${known.join(', ')}` : 'no channels are set up yet';
  return new FacelessError('NOT_FOUND', `unknown channel "${name}" (${list}): run \`${ADD(name)}\` to add it`, { field: 'channel' });
}

/** The channels faceless may publish to, wherever they are kept (the database's ChannelTable, the older ChannelStore files). */
export interface ChannelDirectory {
  names(): Promise<string[]>;
  list(): Promise<ChannelRecord[]>;
  /** NOT_FOUND (field channel) for a channel nobody added. */
  get(name: string): Promise<ChannelRecord>;
  save(record: ChannelRecordInput): Promise<ChannelRecord>;
  remove(name: string): Promise<void>;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Channels under `<dataDir>/youtube/channels/<name>.json`, each written atomically and readable only by the owner. */
export class ChannelStore implements ChannelDirectory {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'youtube', 'channels');
  }

  file(name: string): string {
    return join(this.dir, `${assertChannelName(name)}.json`);
  }

  async names(): Promise<string[]> {
    try {
      const entries = await readdir(this.dir);
      return entries.filter((f) => f.endsWith('.json') && CHANNEL_NAME.test(f.slice(0, -5))).map((f) => f.slice(0, -5)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
  }

  async list(): Promise<ChannelRecord[]> {
    return Promise.all((await this.names()).map((name) => this.get(name)));
  }

  async get(name: string): Promise<ChannelRecord> {
    const file = this.file(name);
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) throw await this.unknown(name);
      throw new FacelessError('STORAGE_FAILED', `cannot read channel file ${file}: ${(err as Error).message}`, { cause: err });
    }
    return this.parse(raw, file, name);
  }

  async save(record: ChannelRecordInput): Promise<ChannelRecord> {
    const valid = validChannelRecord(record);
    const file = this.file(valid.name);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    try {
      await writeFileAtomic(file, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600, sync: true });
    } catch (err) {
      throw new FacelessError('STORAGE_FAILED', `cannot write channel file ${file}: ${(err as Error).message}`, { cause: err });
    }
    return valid;
  }

  async remove(name: string): Promise<void> {
    try {
      await unlink(this.file(name));
    } catch (err) {
      if (isMissing(err)) throw await this.unknown(name);
      throw err;
    }
  }

  private parse(raw: string, file: string, name: string): ChannelRecord {
    const fix = `fix it, or delete it and run \`${ADD(name)}\` again`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new FacelessError('INVALID_INPUT', `channel file ${file} is not valid JSON: ${fix}`, { field: 'channel' });
    }
    const parsed = ChannelRecord.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'record'} ${i.message}`);
      throw new FacelessError('INVALID_INPUT', `channel file ${file} is invalid (${problems.join('; ')}): ${fix}`, { field: 'channel' });
    }
    if (parsed.data.name !== name) {
      throw new FacelessError('INVALID_INPUT', `channel file ${file} holds channel "${parsed.data.name}", not "${name}": ${fix}`, { field: 'channel' });
    }
    return parsed.data;
  }

  private async unknown(name: string): Promise<FacelessError> {
    return unknownChannelError(name, await this.names());
  }
}
