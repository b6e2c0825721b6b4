// The root `prepare` step: builds the dashboard (apps/web/dist) at `npm install`. An install without dev
// dependencies (the Docker image's `npm ci --omit=dev`, which also has no sources yet) has no Vite: it says so
// and goes on, and that image must build the dashboard in a stage of its own.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const web = join(root, 'apps', 'web');
let vite = true;
try {
  createRequire(join(web, 'package.json')).resolve('vite');
} catch {
  vite = false;
}
if (!vite || !existsSync(join(web, 'src'))) {
  console.warn(`faceless: dashboard not built (${vite ? 'no apps/web/src' : 'Vite is not installed: an install without dev dependencies'}); run npm run build -w apps/web where it is`);
  process.exit(0);
}
const r = spawnSync('npm', ['run', 'build', '-w', 'apps/web'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
