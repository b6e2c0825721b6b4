import { stageInfo } from '@faceless/contracts';
import { createObjectStore } from '@faceless/infra';
import { failStartup, readServerAddress, startServer } from '@faceless/runtime';
import { buildApp } from './server.ts';

// Entry point of the uploader service: PORT (default: the seed port), HOST (0.0.0.0), storage from the S3_* or FACELESS_STORE_DIR settings.
const info = stageInfo('upload');
try {
  const env = process.env;
  const app = buildApp({ env, store: createObjectStore(env) });
  await startServer(app, readServerAddress(env, info.port));
} catch (err) {
  failStartup(info.service, err);
}
