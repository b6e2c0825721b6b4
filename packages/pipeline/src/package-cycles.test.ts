import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const script = fileURLToPath(new URL('../../../scripts/check-package-cycles.mjs', import.meta.url));

test('no import cycle between the workspace packages (and the check does see one)', () => {
  const clean = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, FACELESS_CYCLE_PROBE: '' } });
  assert.equal(clean.status, 0, clean.stderr);
  assert.match(clean.stdout, /no import cycle between \d+ packages/);
  // The runtime importing the pipeline would close pipeline → runtime → pipeline.
  const cyclic = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, FACELESS_CYCLE_PROBE: '@faceless/runtime>@faceless/pipeline' } });
  assert.equal(cyclic.status, 1);
  assert.match(cyclic.stderr, /import cycle between packages:[\s\S]*@faceless\/pipeline → @faceless\/runtime/);
});
