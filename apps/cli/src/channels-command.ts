import type { Command } from 'commander';
import { isFacelessError } from '@faceless/runtime';
import {
  createChannelRecord, openYouTubeStateFromEnv, readYouTubeConfig, requireClientCredentials, requireSecretKey,
  runInstalledAppFlow, tokenExpiryWarning, type ChannelDefaults, type InstalledAppFlowOptions, type YouTubeConfig, type YouTubeState,
} from '@faceless/youtube';
import { cliCommand, parseCli, UsageError } from './cli-parse.ts';

export const CHANNELS_USAGE = `Usage:
  faceless channels add <name> [options]   authorize a YouTube channel (opens Google's consent page)
  faceless channels list                    the channels, their defaults and token health, and today's quota
  faceless channels remove <name>           forget a channel (revoke access at myaccount.google.com/permissions)
  faceless channels <command> --help        the arguments and options of one command

Options of add (kept when a channel is added again):
  --slots <HH:MM,...>   daily publishing times in UTC (default 15:00)
  --privacy <status>    private (scheduled into the next slot), unlisted or public (default private)
  --category <id>       YouTube category id (default 27, Education)
  --lang <code>         the channel's language (default en)
  --made-for-kids       declare the channel's videos made for kids (default: not)
  --production          the Google OAuth app is published (its refresh tokens do not expire after 7 days)

Needs GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (an OAuth client of type "Desktop app" in the
Google Cloud console, with the YouTube Data API v3 enabled) and FACELESS_SECRET_KEY (encrypts the
refresh token at rest; e.g. openssl rand -base64 32).`;

export interface ChannelsIo {
  write(text: string): void;
  /** Instructions and the consent URL (stderr, so stdout stays clean). */
  note(text: string): void;
  signal: AbortSignal;
  /** Test seam: how the consent page is shown. */
  openBrowser?: InstalledAppFlowOptions['openBrowser'];
  now?: () => Date;
}

/** `faceless channels`: its commands, their arguments and options. */
export function channelsCli(): Command {
  const channels = cliCommand('faceless channels', 'YouTube channels');
  channels.command('add').description('authorize a YouTube channel (opens Google\'s consent page); adding it again keeps its options')
    .argument('[name]', 'the channel\'s name here: 1-64 characters of a-z 0-9 _ - (e.g. "science-en")')
    .option('--slots <HH:MM,...>', 'daily publishing times in UTC (default 15:00)')
    .option('--privacy <status>', 'private (scheduled into the next slot), unlisted or public (default private)')
    .option('--category <id>', 'YouTube category id (default 27, Education)')
    .option('--lang <code>', 'the channel\'s language (default en)')
    .option('--made-for-kids', 'declare the channel\'s videos made for kids (default: not)')
    .option('--production', 'the Google OAuth app is published (its refresh tokens do not expire after 7 days)')
    .addHelpText('after', '\nNeeds GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET and FACELESS_SECRET_KEY (faceless channels --help).');
  channels.command('list').description('the channels, their defaults and token health, and today\'s quota');
  channels.command('remove').description('forget a channel (revoke access at myaccount.google.com/permissions)')
    .argument('[name]', 'the channel (see faceless channels list)');
  return channels.configureHelp({ formatHelp: () => `${CHANNELS_USAGE}\n` });
}

const SLOT = /^([01]\d|2[0-3]):[0-5]\d$/;

function defaultsFrom(values: Record<string, string | string[] | boolean | undefined>): Partial<ChannelDefaults> {
  const defaults: Partial<ChannelDefaults> = {};
  if (typeof values.slots === 'string') {
    const slots = values.slots.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = slots.find((s) => !SLOT.test(s));
    if (slots.length === 0 || bad !== undefined) throw new UsageError('--slots', `"${bad ?? values.slots}" is not a HH:MM time in UTC: use e.g. --slots 09:00,15:00`);
    defaults.slots = slots;
  }
  if (typeof values.privacy === 'string') {
    if (!['private', 'unlisted', 'public'].includes(values.privacy)) throw new UsageError('--privacy', `"${values.privacy}" is not a privacy status: use private, unlisted or public`);
    defaults.privacyStatus = values.privacy as ChannelDefaults['privacyStatus'];
  }
  if (typeof values.category === 'string') {
    if (!/^\d+$/.test(values.category)) throw new UsageError('--category', `"${values.category}" is not a YouTube category id: use a number such as 27 (Education) or 28 (Science & Technology)`);
    defaults.categoryId = values.category;
  }
  if (typeof values.lang === 'string') defaults.language = values.lang;
  if (values['made-for-kids'] === true) defaults.madeForKids = true;
  return defaults;
}

/** `faceless channels …`: returns the exit code. */
export async function channelsCommand(argv: readonly string[], env: Record<string, string | undefined>, io: ChannelsIo): Promise<number> {
  const parsed = parseCli(channelsCli(), argv, io.write);
  if ('help' in parsed) return parsed.help;
  const sub = parsed.command.name();
  const { values } = parsed;
  const positionals = parsed.args as (string | undefined)[];
  const config = readYouTubeConfig(env);
  // Channels live where the stack reads them: PostgreSQL at DATABASE_URL, else the embedded database.
  const state = await openYouTubeStateFromEnv(env);
  try {
    return await channelsSubcommand(sub, positionals, values, { config, state, io });
  } finally {
    await state.close();
  }
}

async function channelsSubcommand(
  sub: string, positionals: (string | undefined)[], values: Record<string, string | string[] | boolean | undefined>,
  { config, state, io }: { config: YouTubeConfig; state: YouTubeState; io: ChannelsIo },
): Promise<number> {
  const store = state.channels;
  const now = io.now ?? (() => new Date());
  switch (sub) {
    case 'add': {
      const name = positionals[0];
      if (!name) throw new UsageError('<name>', 'missing: name the channel, e.g. faceless channels add science-en');
      if (!/^[a-z0-9_-]{1,64}$/.test(name)) throw new UsageError('<name>', `"${name}" must be 1-64 characters of a-z 0-9 _ - (e.g. "science-en")`);
      const defaults = defaultsFrom(values);
      // Everything that can be wrong locally is checked before the browser opens.
      requireClientCredentials(config);
      requireSecretKey(config.secretKey);
      const previous = await store.get(name).catch(() => undefined);
      const tokens = await runInstalledAppFlow({
        config, channelName: name, signal: io.signal, print: (line) => io.note(`${line}\n`),
        ...(io.openBrowser ? { openBrowser: io.openBrowser } : {}),
      });
      const record = await createChannelRecord({
        name, refreshToken: tokens.refreshToken, secretKey: config.secretKey, now: now(), defaults,
        ...(previous ? { previous } : {}),
        ...(values.production ? { appStatus: 'production' as const } : {}),
      });
      await store.save(record);
      io.write(`✓ channel ${name} ${previous ? 're-authorized' : 'added'} (${record.appStatus}; slots ${record.defaults.slots.join(', ')} UTC; ${record.defaults.privacyStatus})\n`);
      io.write(`  publish a video: faceless make "<topic>" --publish ${name}   or   faceless publish <out-dir> --channel ${name}\n`);
      return 0;
    }
    case 'list': {
      const channels = await store.list();
      if (channels.length === 0) {
        io.write('No YouTube channels yet: faceless channels add <name>\n');
        return 0;
      }
      for (const c of channels) {
        const d = c.defaults;
        io.write(`${c.name.padEnd(20)} ${(c.channelTitle ?? '').padEnd(24)} ${c.appStatus.padEnd(10)} slots ${d.slots.join(',')} UTC, ${d.privacyStatus}, category ${d.categoryId}, ${d.language}${d.madeForKids ? ', made for kids' : ''}\n`);
        const warning = tokenExpiryWarning(c, now());
        if (warning) io.write(`  ⚠ ${warning}\n`);
      }
      if (config.clientId) {
        const usage = await state.ledger(config).usage(now()).catch((err: unknown) => {
          io.write(`quota: unreadable (${isFacelessError(err) ? err.message : String(err)})\n`);
          return undefined;
        });
        if (usage) io.write(`quota today (${usage.day}, Pacific): ${usage.unitsUsed} of ${usage.dailyQuota} units${usage.exhausted ? ', spent (YouTube said quotaExceeded)' : ''}; resets ${usage.resetsAt.toISOString()}\n`);
      }
      return 0;
    }
    case 'remove': {
      const name = positionals[0];
      if (!name) throw new UsageError('<name>', 'missing: which channel? See faceless channels list');
      await store.get(name);
      await store.remove(name);
      io.write(`✓ channel ${name} removed here; revoke faceless's access at https://myaccount.google.com/permissions too\n`);
      return 0;
    }
    default:
      throw new UsageError(sub, 'unknown channels command; see "faceless channels --help"');
  }
}
