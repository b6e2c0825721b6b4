export { buildGatewayApp, type GatewayAppOptions, type PipelineEventSource } from './gateway-app.ts';
export { loadGatewayConfig, GatewayEnv, type GatewayConfig } from './gateway-config.ts';
export {
  hashApiKey, createApiKey, createKeyVerifier, parseApiKeysEnv, parseApiKeysFile, ApiKeyRecord,
  defaultKeysFilePath, readKeysFile, writeKeysFile, updateKeysFile,
} from './api-keys.ts';
export { GATEWAY_ROUTES, type GatewayRouteDoc } from './gateway-routes.ts';
export { callUpstream, isBinaryAnswer, requestBody, type UpstreamCall, type UpstreamAnswer } from './upstream-client.ts';
export { registerWebAssets, DEFAULT_WEB_ROOT, DASHBOARD_CSP, WEB_ASSET_ROUTES } from './web-assets.ts';
export {
  createArtifactLinkSigner, registerArtifactContentRoute, withSignedLinks, artifactLinksFromEnv, type ArtifactLinkSigner,
} from './artifact-links.ts';
export { main } from './main.ts';
