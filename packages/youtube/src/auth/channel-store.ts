import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';
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

/** A channel faceless may publish to; the refresh token is only ever stored encrypted. */
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

/** The channels faceless may publish to (the database's ChannelTable). */
export interface ChannelDirectory {
  names(): Promise<string[]>;
  list(): Promise<ChannelRecord[]>;
  /** NOT_FOUND (field channel) for a channel nobody added. */
  get(name: string): Promise<ChannelRecord>;
  save(record: ChannelRecordInput): Promise<ChannelRecord>;
  remove(name: string): Promise<void>;
}
