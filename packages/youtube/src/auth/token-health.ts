import type { ChannelRecord } from './channel-store.ts';

const DAY_MS = 86_400_000;
/** Google drops the refresh tokens of OAuth apps in "Testing" status this long after they were issued. */
export const TESTING_TOKEN_DAYS = 7;
/** From this close to that end on, the dashboard says the token is expiring. */
const EXPIRING_WITHIN_DAYS = 3;

export const TOKEN_HEALTHS = ['ok', 'expiring', 'expired', 'revoked', 'none'] as const;
export type TokenHealth = (typeof TOKEN_HEALTHS)[number];

/** When Google drops the channel's refresh token, as far as faceless can tell: only Testing apps' tokens have an end. */
export function testingTokenExpiry(record: Pick<ChannelRecord, 'appStatus' | 'tokenIssuedAt'>): Date | undefined {
  if (record.appStatus !== 'testing') return undefined;
  return new Date(Date.parse(record.tokenIssuedAt) + TESTING_TOKEN_DAYS * DAY_MS);
}

export interface ChannelTokenHealth {
  health: Exclude<TokenHealth, 'none' | 'revoked'>;
  expiresAt?: Date;
  /** What to do, for a token that is expiring or expired. */
  warning?: string;
}

/**
 * The health of a channel's refresh token from its record alone (no call to Google): a Testing app's token
 * is expiring in its last three days and expired after seven; a published app's token has no end.
 */
export function channelTokenHealth(record: Pick<ChannelRecord, 'name' | 'appStatus' | 'tokenIssuedAt'>, now: Date): ChannelTokenHealth {
  const expiresAt = testingTokenExpiry(record);
  if (!expiresAt) return { health: 'ok' };
  const left = expiresAt.getTime() - now.getTime();
  const fix = `add channel ${record.name} again (Channels page, or \`faceless channels add ${record.name}\`), or publish the OAuth app (Google Cloud console → OAuth consent screen → Publish app) so its tokens stop expiring`;
  if (left <= 0) {
    return { health: 'expired', expiresAt, warning: `the refresh token of channel ${record.name} expired at ${expiresAt.toISOString()} (the OAuth app is in Testing status): ${fix}` };
  }
  if (left <= EXPIRING_WITHIN_DAYS * DAY_MS) {
    const hours = Math.floor(left / 3_600_000);
    const inWords = hours >= 48 ? `${Math.floor(hours / 24)} days` : `${hours} hours`;
    return { health: 'expiring', expiresAt, warning: `the refresh token of channel ${record.name} expires in ${inWords}, at ${expiresAt.toISOString()} (the OAuth app is in Testing status): ${fix}` };
  }
  return { health: 'ok', expiresAt };
}
