import '@faceless/runtime/tracing-register'; // first: tracing patches the modules imported after it
import { stageInfo } from '@faceless/contracts';
import { createObjectStore } from '@faceless/infra';
import { failStartup, readServerAddress, startServer } from '@faceless/runtime';
import { readYouTubeConfig } from '@faceless/youtube';
import { buildApp, createDatabaseOpener } from './server.ts';
import { createRecordingPublisher } from './variant-publisher.ts';
import { createYouTubeVariantPublisher } from './youtube-publisher.ts';

// Entry point of the ab-tester service: PORT (default: the seed port), HOST (0.0.0.0), storage from the S3_* or
// FACELESS_STORE_DIR settings, experiments in PostgreSQL at DATABASE_URL (else PGlite under FACELESS_DATA_DIR).
const info = stageInfo('abtest');
try {
  const env = process.env;
  const database = createDatabaseOpener(env);
  const store = createObjectStore(env);
  const youtube = readYouTubeConfig(env);
  // Channels, their videos and the quota come from the same database as the experiments (DATABASE_URL, else PGlite).
  const publisher = createYouTubeVariantPublisher({ config: youtube, store, fallback: createRecordingPublisher() });
  const app = buildApp({ env, store, publisher, youtube, openDatabase: () => database.open() });
  app.addHook('onClose', async () => { await database.close(); });
  await startServer(app, readServerAddress(env, info.port));
  // Migrations run at start when the database is up; otherwise /ready stays 503 and the first request retries.
  database.open().then(
    () => app.log.info('database ready and migrated'),
    (err: unknown) => app.log.warn({ err }, 'database not reachable yet'),
  );
} catch (err) {
  failStartup(info.service, err);
}
