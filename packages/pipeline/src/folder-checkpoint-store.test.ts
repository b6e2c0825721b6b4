import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FacelessError } from '@faceless/runtime';
import { FolderCheckpointStore } from './folder-checkpoint-store.ts';

interface Cp { id: string; n: number; updatedAt: string }

const temps: string[] = [];
after(async () => { await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))); });

async function store(): Promise<{ dir: string; cps: FolderCheckpointStore<Cp> }> {
  const dir = await mkdtemp(join(tmpdir(), 'faceless-fcs-'));
  temps.push(dir);
  return { dir, cps: new FolderCheckpointStore<Cp>(join(dir, 'checkpoints')) };
}

test('saves one JSON file per pipeline and loads it back; unknown ids load as undefined', async () => {
  const { dir, cps } = await store();
  assert.equal(await cps.load('nope'), undefined);
  assert.deepEqual(await cps.list({ limit: 10, offset: 0 }), [], 'no folder yet: empty list');
  await cps.save('p1', { id: 'p1', n: 1, updatedAt: '2026-01-01T00:00:00.000Z' });
  await cps.save('p1', { id: 'p1', n: 2, updatedAt: '2026-01-01T00:00:01.000Z' });
  assert.deepEqual(await cps.load('p1'), { id: 'p1', n: 2, updatedAt: '2026-01-01T00:00:01.000Z' });
  assert.deepEqual(await readdir(join(dir, 'checkpoints')), ['p1.json'], 'no temp files left behind');
  assert.equal(JSON.parse(await readFile(join(dir, 'checkpoints', 'p1.json'), 'utf8')).n, 2);
});

test('concurrent saves of one pipeline leave a whole file (the last one)', async () => {
  const { cps } = await store();
  await Promise.all(Array.from({ length: 20 }, (_, n) => cps.save('p', { id: 'p', n, updatedAt: `2026-01-01T00:00:${String(n).padStart(2, '0')}.000Z` })));
  const loaded = await cps.load('p');
  assert.ok(loaded && loaded.n >= 0 && loaded.n < 20);
});

test('lists newest first by updatedAt, with limit and offset, skipping foreign files', async () => {
  const { dir, cps } = await store();
  await cps.save('old', { id: 'old', n: 0, updatedAt: '2026-01-01T00:00:00.000Z' });
  await cps.save('new', { id: 'new', n: 0, updatedAt: '2026-03-01T00:00:00.000Z' });
  await cps.save('mid', { id: 'mid', n: 0, updatedAt: '2026-02-01T00:00:00.000Z' });
  await writeFile(join(dir, 'checkpoints', 'notes.txt'), 'hello');
  await writeFile(join(dir, 'checkpoints', 'broken.json'), '{not json');
  assert.deepEqual(await cps.list({ limit: 10, offset: 0 }), ['new', 'mid', 'old', 'broken']);
  assert.deepEqual(await cps.list({ limit: 2, offset: 1 }), ['mid', 'old']);
  assert.deepEqual(await cps.list({ limit: 5, offset: 9 }), []);
});

test('an id that cannot be a file name is refused on save and unknown on load', async () => {
  const { cps } = await store();
  for (const id of ['../escape', 'a/b', '..', '', 'x'.repeat(129)]) {
    assert.equal(await cps.load(id), undefined, id);
    await assert.rejects(cps.save(id, { id, n: 0, updatedAt: '' }), (err: FacelessError) => err.code === 'INVALID_INPUT' && err.field === 'pipelineId');
  }
});
