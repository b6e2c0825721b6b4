import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createKeyVerifier, defaultKeysFilePath, hashApiKey, readKeysFile } from '@faceless/api-gateway';
import { keysCommand } from './keys-command.ts';

const BIN = fileURLToPath(new URL('../bin/faceless.js', import.meta.url));
const run = promisify(execFile);
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keys-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function keys(env: Record<string, string | undefined>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await keysCommand(argv, {
    env, now: () => new Date('2026-03-01T12:00:00Z'),
    stdout: { write: (t: string) => { out += t; } }, stderr: { write: (t: string) => { err += t; } },
  });
  return { code, out, err };
}

/** The real entry point, as a user runs it: `faceless keys …` in its own process. */
async function faceless(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'keys', ...argv], { env: { ...process.env, API_KEYS: '', API_KEYS_FILE: '', ...env } });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout, err: failed.stderr };
  }
}

test('the keys file: API_KEYS_FILE, else api-keys.json in FACELESS_DATA_DIR, else in ~/.faceless', () => {
  assert.equal(defaultKeysFilePath({ API_KEYS_FILE: '/etc/faceless/keys.json', FACELESS_DATA_DIR: '/data' }), '/etc/faceless/keys.json');
  assert.equal(defaultKeysFilePath({ FACELESS_DATA_DIR: '/data' }), '/data/api-keys.json');
  assert.match(defaultKeysFilePath({}), /\.faceless\/api-keys\.json$/);
});

test('create prints the key once, stores only its hash (0600), list shows it, revoke removes it: through the faceless command', async () => {
  const data = join(dir, 'round-trip');
  const env = { FACELESS_DATA_DIR: data };
  const file = join(data, 'api-keys.json');

  const created = await faceless(env, 'create', 'ci-bot', '--rate-limit', '30');
  assert.equal(created.code, 0, created.err);
  const key = created.out.trim();
  assert.match(key, /^fk_[\w-]{43}$/, 'stdout is the key alone');
  assert.match(created.err, /ci-bot/);

  const text = await readFile(file, 'utf8');
  assert.ok(!text.includes(key), 'the key itself is not stored');
  assert.ok(text.includes(hashApiKey(key)), 'its sha256 is');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const records = await readKeysFile(file);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.rateLimitPerMinute, 30);
  assert.ok(records[0]?.createdAt && Date.parse(records[0].createdAt) > Date.now() - 60_000);
  assert.equal(createKeyVerifier(records)(key)?.id, 'ci-bot', 'the gateway\'s verifier accepts the printed key');

  const listed = await faceless(env, 'list');
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, /ci-bot/);
  assert.match(listed.out, /30\/min/);
  assert.ok(!listed.out.includes(key), 'list never shows a key');
  assert.ok(!listed.out.includes(hashApiKey(key)), 'nor a whole hash');

  const again = await faceless(env, 'create', 'ci-bot');
  assert.equal(again.code, 1);
  assert.match(again.err, /"ci-bot" already exists.*faceless keys revoke ci-bot/);
  assert.equal(await readFile(file, 'utf8'), text, 'a refused create changes nothing');

  const revoked = await faceless(env, 'revoke', 'ci-bot');
  assert.equal(revoked.code, 0, revoked.err);
  assert.deepEqual(await readKeysFile(file), []);
  assert.equal(createKeyVerifier(await readKeysFile(file))(key), undefined);

  const missing = await faceless(env, 'revoke', 'ci-bot');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no key named "ci-bot"/);
});

test('API_KEYS_FILE is where keys go when it is set', async () => {
  const file = join(dir, 'elsewhere', 'keys.json');
  const r = await keys({ API_KEYS_FILE: file, FACELESS_DATA_DIR: join(dir, 'unused') }, 'create', 'partner');
  assert.equal(r.code, 0, r.err);
  assert.equal((await readKeysFile(file))[0]?.name, 'partner');
  assert.equal((await readKeysFile(join(dir, 'unused', 'api-keys.json'))).length, 0);
});

test('creates running at the same time all keep their key (the file is locked around each change)', async () => {
  const env = { FACELESS_DATA_DIR: join(dir, 'concurrent') };
  const names = Array.from({ length: 8 }, (_, i) => `client-${i}`);
  const inProcess = await Promise.all(names.map((n) => keys(env, 'create', n)));
  assert.deepEqual(inProcess.map((r) => r.code), names.map(() => 0), inProcess.map((r) => r.err).join('\n'));
  // Two separate processes as well, as two people typing at once would be.
  const [a, b] = await Promise.all([faceless(env, 'create', 'proc-a'), faceless(env, 'create', 'proc-b')]);
  assert.equal(a?.code, 0, a?.err);
  assert.equal(b?.code, 0, b?.err);
  const records = await readKeysFile(defaultKeysFilePath(env));
  assert.deepEqual(records.map((r) => r.name).sort(), [...names, 'proc-a', 'proc-b'].sort());
  const verify = createKeyVerifier(records);
  for (const [r, n] of [...inProcess.map((x, i) => [x, names[i]] as const), [a, 'proc-a'] as const, [b, 'proc-b'] as const]) {
    assert.equal(verify(r?.out.trim() ?? '')?.name, n);
  }
});

test('bad usage exits 2 naming the argument; a name in API_KEYS cannot be created or revoked here', async () => {
  const env = { FACELESS_DATA_DIR: join(dir, 'usage'), API_KEYS: `ops:${hashApiKey('x')}` };
  const badName = await keys(env, 'create', 'has space');
  assert.equal(badName.code, 2);
  assert.match(badName.err, /<name>.*letters, digits/);
  const noName = await keys(env, 'revoke');
  assert.equal(noName.code, 2);
  const badLimit = await keys(env, 'create', 'x', '--rate-limit', '0');
  assert.equal(badLimit.code, 2);
  assert.match(badLimit.err, /--rate-limit.*"0"/);
  const unknownOption = await keys(env, 'create', 'x', '--rate', '3');
  assert.equal(unknownOption.code, 2);
  assert.equal((await keys(env, 'rotate')).code, 2);
  const help = await keys(env, '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /create <name>/);

  const clash = await keys(env, 'create', 'ops');
  assert.equal(clash.code, 1);
  assert.match(clash.err, /API_KEYS already has a key "ops"/);
  const fixed = await keys(env, 'revoke', 'ops');
  assert.equal(fixed.code, 1);
  assert.match(fixed.err, /"ops" is set in API_KEYS/);
  const listed = await keys(env, 'list');
  assert.match(listed.out, /No keys in .*\nAlso accepted, from API_KEYS: ops/);
  assert.deepEqual(await readKeysFile(defaultKeysFilePath(env)), [], 'nothing was written');
});

test('a keys file that is not valid is named with its problem, and left as it is', async () => {
  const env = { API_KEYS_FILE: join(dir, 'broken.json') };
  await writeFile(env.API_KEYS_FILE, '[{"id":"a","name":"a","key":"fk_clear"}]');
  const r = await keys(env, 'create', 'b');
  assert.equal(r.code, 1);
  assert.match(r.err, /broken\.json.*hash/);
  assert.equal(r.out, '', 'no key is printed when none was stored');
  assert.equal(await readFile(env.API_KEYS_FILE, 'utf8'), '[{"id":"a","name":"a","key":"fk_clear"}]');
});
