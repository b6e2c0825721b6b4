import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readYouTubeConfig } from '../youtube-config.ts';
import { QUOTA_COST_TABLES, parseQuotaCosts } from './quota-costs.ts';
import { FileQuotaLedger, openQuotaLedger } from './quota-ledger.ts';

const dirs: string[] = [];
after(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

async function dataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'quota-'));
  dirs.push(d);
  return d;
}

const at = (iso: string): Date => new Date(iso);

test('the two named cost tables and a JSON table with defaults for the operations left out', () => {
  assert.equal(parseQuotaCosts('legacy').units['videos.insert'], 1600);
  assert.equal(parseQuotaCosts(' uploads-bucket ').units['videos.insert'], 100);
  assert.equal(parseQuotaCosts('uploads-bucket').uploadsPerDay, 100);
  const custom = parseQuotaCosts('{"videos.insert": 400, "uploadsPerDay": 20}');
  assert.equal(custom.units['videos.insert'], 400);
  assert.equal(custom.units['thumbnails.set'], 50);
  assert.equal(custom.units.reporting, 0);
  assert.deepEqual(custom.uploads, { 'videos.insert': 1 });
  assert.equal(custom.uploadsPerDay, 20);
});

test('a bad YOUTUBE_QUOTA_COSTS is an INVALID_OPTION that names the variable and the problem', () => {
  assert.throws(() => parseQuotaCosts('newest'), (err: Error & { code?: string; field?: string }) =>
    err.code === 'INVALID_OPTION' && err.field === 'YOUTUBE_QUOTA_COSTS' && /"newest"/.test(err.message) && /legacy, uploads-bucket/.test(err.message));
  assert.throws(() => parseQuotaCosts('{"videos.insert": 16'), /YOUTUBE_QUOTA_COSTS is not valid JSON/);
  assert.throws(() => parseQuotaCosts('{"videos.insrt": 1600}'), /videos\.insrt|Unrecognized key/);
  assert.throws(() => parseQuotaCosts('{"videos.insert": -1}'), { code: 'INVALID_OPTION' });
});

test('reserve spends the legacy table until the 10,000 units are gone, then says to wait for midnight Pacific', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'client-a', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  const now = at('2025-03-09T11:00:00Z');
  const upload = [{ op: 'videos.insert', count: 1 }, { op: 'thumbnails.set', count: 1 }] as const;
  for (let i = 0; i < 6; i++) {
    const r = await ledger.reserve(upload, now);
    assert.equal(r.ok, true);
  }
  const usage = await ledger.usage(now);
  assert.equal(usage.unitsUsed, 6 * 1650);
  assert.equal(usage.remainingUnits, 100);
  const denied = await ledger.reserve(upload, now);
  assert.equal(denied.ok, false);
  assert.equal(!denied.ok && denied.waitUntil.toISOString(), '2025-03-10T07:00:00.000Z');
  // Small calls still fit in what is left.
  assert.equal((await ledger.reserve([{ op: 'videos.list', count: 100 }], now)).ok, true);
  assert.equal((await ledger.reserve([{ op: 'videos.list', count: 1 }], now)).ok, false);
  // The next Pacific day starts from zero.
  const tomorrow = await ledger.reserve(upload, at('2025-03-10T07:00:00Z'));
  assert.equal(tomorrow.ok && tomorrow.remainingUnits, 10_000 - 1650);
});

test('the ledger is a 0600 JSON file under <dataDir>/youtube/quota named by a hash of the client id, shared by instances', async () => {
  const dir = await dataDir();
  const costs = QUOTA_COST_TABLES.legacy;
  const a = new FileQuotaLedger({ dataDir: dir, projectKey: 'secret-ish-client-id', dailyQuota: 10_000, costs });
  await a.reserve([{ op: 'videos.update', count: 3 }], at('2025-06-01T12:00:00Z'));
  const files = (await readdir(join(dir, 'youtube', 'quota'))).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^[0-9a-f]{16}\.json$/);
  assert.equal((await stat(a.file)).mode & 0o777, 0o600);
  const saved = JSON.parse(await readFile(a.file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual({ day: saved.day, unitsUsed: saved.unitsUsed, exhausted: saved.exhausted }, { day: '2025-06-01', unitsUsed: 150, exhausted: false });
  assert.doesNotMatch(await readFile(a.file, 'utf8'), /secret-ish-client-id/);
  const b = new FileQuotaLedger({ dataDir: dir, projectKey: 'secret-ish-client-id', dailyQuota: 10_000, costs });
  assert.equal((await b.usage(at('2025-06-01T12:00:00Z'))).unitsUsed, 150);
  const otherProject = new FileQuotaLedger({ dataDir: dir, projectKey: 'another-client', dailyQuota: 10_000, costs });
  assert.equal((await otherProject.usage(at('2025-06-01T12:00:00Z'))).unitsUsed, 0);
});

test('concurrent reserves never overspend', async () => {
  const dir = await dataDir();
  const ledgers = [0, 1].map(() => new FileQuotaLedger({ dataDir: dir, projectKey: 'p', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy }));
  const now = at('2025-06-01T12:00:00Z');
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => ledgers[i % 2]!.reserve([{ op: 'videos.insert', count: 1 }], now)));
  assert.equal(results.filter((r) => r.ok).length, 6);
  assert.equal((await ledgers[0]!.usage(now)).unitsUsed, 9600);
});

test('uploads-bucket: uploads cost 100 units and one of 100 uploads a day', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'p', dailyQuota: 1_000_000, costs: parseQuotaCosts('uploads-bucket') });
  const now = at('2025-06-01T12:00:00Z');
  assert.equal((await ledger.reserve([{ op: 'videos.insert', count: 99 }], now)).ok, true);
  assert.equal((await ledger.reserve([{ op: 'videos.insert', count: 1 }, { op: 'thumbnails.set', count: 1 }], now)).ok, true);
  const usage = await ledger.usage(now);
  assert.deepEqual([usage.unitsUsed, usage.uploadsUsed], [100 * 100 + 50, 100]);
  const denied = await ledger.reserve([{ op: 'videos.insert', count: 1 }], now);
  assert.equal(!denied.ok && /100 of 100 uploads/.test(denied.reason), true);
  assert.equal((await ledger.reserve([{ op: 'videos.update', count: 1 }], now)).ok, true);
});

test('a request larger than a whole day is QUOTA_EXCEEDED at once', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'p', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  await assert.rejects(() => ledger.reserve([{ op: 'videos.insert', count: 7 }]), (err: Error & { code?: string }) =>
    err.code === 'QUOTA_EXCEEDED' && /11200 quota units/.test(err.message) && /10000 a day/.test(err.message));
  let slept = 0;
  await assert.rejects(() => ledger.waitForQuota([{ op: 'videos.insert', count: 7 }], { sleep: async () => { slept++; } }), { code: 'QUOTA_EXCEEDED' });
  assert.equal(slept, 0);
});

test('markExhausted closes the rest of the Pacific day, whatever the count said', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'p', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  const now = at('2025-11-02T06:30:00Z'); // 23:30 PDT on Nov 1
  await ledger.markExhausted(now);
  const r = await ledger.reserve([{ op: 'videos.list', count: 1 }], now);
  assert.equal(!r.ok && r.waitUntil.toISOString(), '2025-11-02T07:00:00.000Z');
  assert.equal((await ledger.usage(now)).remainingUnits, 0);
  assert.equal((await ledger.reserve([{ op: 'videos.list', count: 1 }], at('2025-11-02T07:00:00Z'))).ok, true);
});

test('waitForQuota sleeps until just past the reset and then reserves', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'p', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  let clock = at('2025-03-09T20:00:00Z').getTime(); // 13:00 PDT on the short day
  await ledger.markExhausted(new Date(clock));
  const sleeps: number[] = [];
  const waits: string[] = [];
  const reservation = await ledger.waitForQuota([{ op: 'videos.insert', count: 1 }], {
    now: () => new Date(clock),
    sleep: async (ms) => { sleeps.push(ms); clock += ms; },
    onWait: ({ waitUntil }) => waits.push(waitUntil.toISOString()),
  });
  assert.deepEqual(waits, ['2025-03-10T07:00:00.000Z']);
  assert.deepEqual(sleeps, [11 * 3_600_000 + 1000]);
  assert.equal(reservation.day, '2025-03-10');
});

test('waitForQuota stops when its signal is aborted', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'p', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  await ledger.markExhausted();
  const controller = new AbortController();
  const waiting = ledger.waitForQuota([{ op: 'videos.list', count: 1 }], { signal: controller.signal, onWait: () => controller.abort(new Error('stop')) });
  await assert.rejects(waiting, /stop/);
});

test('a corrupt ledger file is named in the error', async () => {
  const ledger = new FileQuotaLedger({ dataDir: await dataDir(), projectKey: 'p', dailyQuota: 10_000, costs: QUOTA_COST_TABLES.legacy });
  await ledger.usage();
  await ledger.reserve([{ op: 'videos.list', count: 1 }]);
  await writeFile(ledger.file, '{"v":1,');
  await assert.rejects(() => ledger.reserve([{ op: 'videos.list', count: 1 }]), (err: Error & { code?: string }) =>
    err.code === 'INVALID_INPUT' && err.message.includes(ledger.file) && /delete it/.test(err.message));
});

test('openQuotaLedger reads the daily quota and cost table from the config and needs GOOGLE_CLIENT_ID', async () => {
  const dir = await dataDir();
  const config = readYouTubeConfig({ FACELESS_DATA_DIR: dir, GOOGLE_CLIENT_ID: 'id', YOUTUBE_DAILY_QUOTA: '500', YOUTUBE_QUOTA_COSTS: 'uploads-bucket' });
  const ledger = openQuotaLedger(config);
  assert.equal((await ledger.reserve([{ op: 'videos.insert', count: 5 }], at('2025-06-01T12:00:00Z'))).ok, true);
  assert.equal((await ledger.reserve([{ op: 'videos.insert', count: 1 }], at('2025-06-01T12:00:00Z'))).ok, false);
  assert.throws(() => openQuotaLedger({ ...config, clientId: undefined }), { code: 'INVALID_OPTION', field: 'GOOGLE_CLIENT_ID' });
});
