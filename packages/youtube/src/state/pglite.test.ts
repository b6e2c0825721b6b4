import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@faceless/infra';
import { stateSuite } from './state-suite.ts';

// One PGlite for the whole file: creating one costs seconds and hundreds of MB.
stateSuite('PGlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'youtube-state-pglite-'));
  const db = await openDatabase({ dataDir: join(dir, 'db') });
  return {
    db,
    async cleanup() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
