import { z } from 'zod';
import { openFacelessDatabase } from '@faceless/infra';
import { FacelessError, isFacelessError, loggerFromPino, parseInput, type Database, type Logger, type StageApp, type StageFactoryOptions } from '@faceless/runtime';
import {
  CHANNEL_NAME, ChannelTokenSource, WebAuthorizations, channelTokenHealth, openYouTubeState, pacificDay, readYouTubeConfig,
  type ChannelRecord, type TokenHealth, type YouTubeConfig, type YouTubeState,
} from '@faceless/youtube';
import { readUploaderConfig, type UploaderConfig } from './config.ts';
import { LocalChannelTarget } from './providers/local-channel.ts';
import { YOUTUBE_TARGET } from './providers/youtube-channel.ts';
import { nextFreeSlot } from './publish-slots.ts';

/** One channel as the dashboard shows it (GET /channels). */
export interface ChannelSummary {
  name: string;
  kind: 'local' | 'youtube';
  title?: string;
  tokenHealth: TokenHealth;
  tokenExpiresAt?: string;
  warnings: string[];
  /** The next free publish slots, ISO times in UTC. */
  nextSlots: string[];
  /** The Cloud project's YouTube quota today (a local channel spends none: 0 of 0). */
  quota: { usedToday: number; limit: number; day: string };
}

const NEXT_SLOTS = 3;
/** How long the list waits for Google to refresh a channel's token before it shows the record's view alone. */
const PROBE_TIMEOUT_MS = 5000;

const StartBody = z.strictObject({
  name: z.string().regex(CHANNEL_NAME, 'must be 1-64 characters of a-z 0-9 _ - (e.g. "science-en")'),
  redirectUri: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the gateway\'s /api/channels/oauth/callback' }).max(2000),
});
const CompleteBody = z.strictObject({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
});

export interface ChannelServiceDeps {
  config: UploaderConfig;
  youtube: YouTubeConfig;
  database: () => Promise<Database>;
  log: Logger;
  now?: () => Date;
  /** Test seam: how a channel's refresh token is tried; defaults to one refresh at Google. */
  probe?: (record: ChannelRecord, signal: AbortSignal) => Promise<unknown>;
}

/** The first `count` free slots after now, each taken in turn (pure). */
export function nextSlots(o: { now: Date; slots: readonly string[]; taken: readonly Date[]; leadMinutes: number; count?: number }): string[] {
  const taken = [...o.taken];
  const found: string[] = [];
  for (let i = 0; i < (o.count ?? NEXT_SLOTS); i++) {
    const slot = nextFreeSlot({ now: o.now, slots: o.slots, taken, leadMinutes: o.leadMinutes });
    taken.push(slot);
    found.push(slot.toISOString());
  }
  return found;
}

/** The channels the uploader publishes to, their token health, slots and quota, and adding one from a browser. */
export function createChannelService(deps: ChannelServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const local = new LocalChannelTarget(deps.config.localChannelDir);
  let opened: Promise<{ state: YouTubeState; authorizations: WebAuthorizations }> | undefined;
  const open = () => {
    opened ??= deps.database().then(async (db) => {
      const state = await openYouTubeState(db, { dataDir: deps.youtube.dataDir });
      return { state, authorizations: new WebAuthorizations({ db, channels: state.channels, config: deps.youtube, now }) };
    }).catch((err: unknown) => {
      opened = undefined;
      throw err;
    });
    return opened;
  };

  const probe = deps.probe ?? ((record: ChannelRecord, signal: AbortSignal) =>
    new ChannelTokenSource({ channel: record, config: deps.youtube, now, retry: { attempts: 1, baseDelayMs: 1 } }).token(signal));

  /**
   * Revoked, when Google refuses the refresh token (the owner removed the app's access, or its 7 days are
   * up): the record alone cannot tell. Anything else (Google unreachable, no client configured) leaves the
   * record's view as it is; an upload says more.
   */
  async function revoked(record: ChannelRecord): Promise<string | undefined> {
    try {
      await probe(record, AbortSignal.timeout(PROBE_TIMEOUT_MS));
      return undefined;
    } catch (err) {
      if (!(isFacelessError(err) && err.code === 'CHANNEL_AUTH' && err.field === 'channel')) return undefined;
      return `Google refused the refresh token of channel ${record.name} (access removed, or expired): add the channel again`;
    }
  }

  async function youtubeSummary(record: ChannelRecord, state: YouTubeState, at: Date, quota: ChannelSummary['quota'], quotaWarning?: string): Promise<ChannelSummary> {
    const fromRecord = channelTokenHealth(record, at);
    const [videos, reserved, refused] = await Promise.all([
      state.videos.list(record.name), state.slots.list(YOUTUBE_TARGET, record.name), fromRecord.health === 'expired' ? undefined : revoked(record),
    ]);
    const health = refused ? { ...fromRecord, health: 'revoked' as const, warning: refused } : fromRecord;
    const taken = [...videos, ...reserved].map((v) => new Date(v.publishAt));
    const warnings = [health.warning, quotaWarning].filter((w): w is string => w !== undefined);
    if (record.oauthClient === 'web' && !deps.youtube.webClientId) {
      warnings.push(`channel ${record.name} was added with the dashboard's OAuth client, but GOOGLE_WEB_CLIENT_ID is not set: set it (and GOOGLE_WEB_CLIENT_SECRET) or add the channel again`);
    }
    return {
      name: record.name,
      kind: 'youtube',
      ...(record.channelTitle ? { title: record.channelTitle } : {}),
      tokenHealth: health.health,
      ...(health.expiresAt ? { tokenExpiresAt: health.expiresAt.toISOString() } : {}),
      warnings,
      nextSlots: nextSlots({ now: at, slots: record.defaults.slots, taken, leadMinutes: deps.config.leadMinutes }),
      quota,
    };
  }

  return {
    async list(): Promise<ChannelSummary[]> {
      const at = now();
      const day = pacificDay(at);
      const locals = await Promise.all([...deps.config.localChannels].map(async (name): Promise<ChannelSummary> => ({
        name, kind: 'local', tokenHealth: 'none', warnings: [],
        nextSlots: nextSlots({ now: at, slots: deps.config.slots, taken: await local.plannedTimes(name, { log: deps.log }), leadMinutes: deps.config.leadMinutes }),
        quota: { usedToday: 0, limit: 0, day },
      })));
      const { state } = await open();
      const records = await state.channels.list();
      let quota: ChannelSummary['quota'] = { usedToday: 0, limit: deps.youtube.dailyQuota, day };
      let quotaWarning: string | undefined;
      if (records.length > 0 && deps.youtube.clientId) {
        const usage = await state.ledger(deps.youtube).usage(at);
        quota = { usedToday: usage.unitsUsed, limit: usage.dailyQuota, day: usage.day };
      } else if (records.length > 0) {
        quotaWarning = 'GOOGLE_CLIENT_ID is not set: the uploader cannot refresh tokens or count the project\'s quota until it is';
      }
      const youtube = await Promise.all(records.map((r) => youtubeSummary(r, state, at, quota, quotaWarning)));
      return [...locals, ...youtube];
    },

    /** A consent URL whose answer comes back to `redirectUri` (the gateway's callback). */
    async start(body: unknown): Promise<{ consentUrl: string; expiresAt: string }> {
      const { name, redirectUri } = parseInput(StartBody, body, 'request body');
      if (deps.config.localChannels.has(name)) {
        throw new FacelessError('INVALID_INPUT', `"${name}" is a local channel (LOCAL_CHANNELS publish into folders): give the YouTube channel another name`, { field: 'name' });
      }
      const { authorizations } = await open();
      const started = await authorizations.start({ channel: name, redirectUri });
      deps.log.info('channel authorization started', { channel: name });
      return { consentUrl: started.consentUrl, expiresAt: started.expiresAt.toISOString() };
    },

    /** Google's answer, forwarded by the gateway's callback: the channel added, or why not. */
    async complete(body: unknown, signal?: AbortSignal): Promise<{ outcome: 'added' | 're-authorized' | 'denied'; channel: string; error?: string }> {
      const answer = parseInput(CompleteBody, body, 'request body');
      const { authorizations } = await open();
      const result = await authorizations.complete(answer, signal);
      if (result.outcome === 'denied') {
        deps.log.info('channel authorization denied on the consent page', { channel: result.channel, error: result.error });
        return result;
      }
      deps.log.info(`channel ${result.outcome}`, { channel: result.channel.name });
      return { outcome: result.outcome, channel: result.channel.name };
    },
  };
}

export type ChannelService = ReturnType<typeof createChannelService>;

/**
 * GET /channels, POST /channels/oauth/start and POST /channels/oauth/complete beside the upload stage, on the
 * publishing state's database (the host's, else DATABASE_URL, else PGlite under FACELESS_DATA_DIR).
 */
export function registerChannelRoutes(app: StageApp, options: StageFactoryOptions & { now?: () => Date }): ChannelService {
  let owned: Promise<Database> | undefined;
  const database = options.openDatabase ?? (() => (owned ??= openFacelessDatabase(options.env)));
  const service = createChannelService({
    config: readUploaderConfig(options.env),
    youtube: readYouTubeConfig(options.env),
    database,
    log: loggerFromPino(app.log).child({ component: 'channels' }),
    ...(options.now ? { now: options.now } : {}),
  });
  app.get('/channels', async () => ({ channels: await service.list() }));
  app.post('/channels/oauth/start', async (request) => service.start(request.body));
  app.post('/channels/oauth/complete', async (request) => service.complete(request.body));
  app.addHook('onClose', async () => {
    const db = await owned?.catch(() => undefined);
    await db?.close();
  });
  return service;
}
