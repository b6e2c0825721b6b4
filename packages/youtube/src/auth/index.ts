export { DEFAULT_SCOPES, buildAuthorizationUrl, codeChallengeFor, createOAuthState, createPkcePair } from './pkce.ts';
export type { AuthorizationUrlOptions, PkcePair } from './pkce.ts';
export {
  channelClientCredentials, requireClientCredentials, requireClientId, requireWebClientCredentials, type ClientCredentials, type WebClientCredentials,
} from './client-credentials.ts';
export { exchangeAuthorizationCode, type AuthorizedTokens, type CodeExchangeOptions } from './code-exchange.ts';
export { TOKEN_HEALTHS, channelTokenHealth, testingTokenExpiry, type ChannelTokenHealth, type TokenHealth } from './token-health.ts';
export {
  WEB_AUTHORIZATION_TTL_MS, WebAuthorizations, webAuthorizationMigrations,
  type WebAuthorizationAnswer, type WebAuthorizationOptions, type WebAuthorizationOutcome,
} from './web-app-flow.ts';
export { requestToken, type GoogleTokens, type TokenRequestOptions } from './token-endpoint.ts';
export { openBrowserQuietly } from './open-browser.ts';
export { runInstalledAppFlow, type InstalledAppFlowOptions, type InstalledAppTokens } from './installed-app-flow.ts';
export { EncryptedSecret, decryptSecret, encryptSecret, requireSecretKey, type DecryptOptions } from './token-vault.ts';
export {
  APP_STATUSES, CHANNEL_NAME, ChannelDefaults, ChannelRecord, assertChannelName, createChannelRecord,
  unknownChannelError, validChannelRecord, type ChannelDirectory, type AppStatus, type ChannelRecordInput, type NewChannelRecord,
} from './channel-store.ts';
export { ChannelTokenSource, REFRESH_MARGIN_MS, tokenExpiryWarning, type ChannelTokenSourceOptions } from './channel-token-source.ts';
export { QUOTA_COST_TABLES, QUOTA_OPERATIONS, parseQuotaCosts, type QuotaCostTable, type QuotaOperation } from './quota-costs.ts';
export { nextReset, pacificDay } from './quota-day.ts';
export {
  QuotaLedger, quotaProjectKey,
  type QuotaDay, type QuotaLimits, type QuotaRequest, type QuotaReservation, type QuotaUsage, type WaitForQuotaOptions,
} from './quota-ledger.ts';
