import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeFileAtomic } from './atomic-file.ts';

const dir = await mkdtemp(join(tmpdir(), 'atomic-file-'));
after(() => rm(dir, { recursive: true, force: true }));

test('writeFileAtomic replaces the file whole, with the mode asked for, and leaves no temporary file', async () => {
  const file = join(dir, 'state.json');
  await writeFileAtomic(file, '{"a":1}\n');
  await Promise.all(Array.from({ length: 8 }, (_, i) => writeFileAtomic(file, `{"a":${i}}\n`, { mode: 0o600, sync: true })));
  assert.match(await readFile(file, 'utf8'), /^\{"a":\d\}\n$/);
  assert.deepEqual(await readdir(dir), ['state.json']);
  const secret = join(dir, 'secret.json');
  await writeFileAtomic(secret, 'x', { mode: 0o600 });
  assert.equal((await stat(secret)).mode & 0o777, 0o600);
});

test('a failed write passes the error on and removes its temporary file', async () => {
  const sub = join(dir, 'fail');
  await mkdir(join(sub, 'taken'), { recursive: true });
  // Renaming a file over a directory fails.
  await assert.rejects(writeFileAtomic(join(sub, 'taken'), 'new'), /EISDIR|EEXIST|ENOTEMPTY|EPERM/);
  assert.deepEqual(await readdir(sub), ['taken']);
});
