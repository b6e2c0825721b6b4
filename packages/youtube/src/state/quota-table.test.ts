import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openTestDatabase, type TestDatabase } from '@faceless/infra/testing';
import { QUOTA_COST_TABLES, parseQuotaCosts, type QuotaCostTable } from '../auth/quota-costs.ts';
import { readYouTubeConfig } from '../youtube-config.ts';
import { QuotaTable } from './quota-table.ts';
import { openYouTubeState, type YouTubeState } from './youtube-state.ts';

// The ledger's rules (what a reservation spends, when the day resets, waiting for it) on the table the services
// and the CLI use, on PGlite; state-suite.ts runs its concurrency on PGlite and PostgreSQL.
let handle: TestDatabase;
let dataDir: string;
let state: YouTubeState;
let projects = 0;

before(async () => {
  handle = await openTestDatabase('pglite');
  dataDir = await mkdtemp(join(tmpdir(), 'quota-table-'));
  state = await openYouTubeState(handle.db, { dataDir });
});
after(async () => {
  await handle.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

/** A ledger of a project no other test spends from. */
function ledger(options: { dailyQuota?: number; costs?: QuotaCostTable } = {}): QuotaTable {
  projects += 1;
  return new QuotaTable(handle.db, { clientId: `client-${projects}`, dailyQuota: options.dailyQuota ?? 10_000, costs: options.costs ?? QUOTA_COST_TABLES.legacy });
}

const at = (iso: string): Date => new Date(iso);

test('reserve spends the legacy table until the 10,000 units are gone, then says to wait for midnight Pacific', async () => {
  const quota = ledger();
  const now = at('2025-03-09T11:00:00Z');
  const upload = [{ op: 'videos.insert', count: 1 }, { op: 'thumbnails.set', count: 1 }] as const;
  for (let i = 0; i < 6; i++) {
    const r = await quota.reserve(upload, now);
    assert.equal(r.ok, true);
  }
  const usage = await quota.usage(now);
  assert.equal(usage.unitsUsed, 6 * 1650);
  assert.equal(usage.remainingUnits, 100);
  const denied = await quota.reserve(upload, now);
  assert.equal(denied.ok, false);
  assert.equal(!denied.ok && denied.waitUntil.toISOString(), '2025-03-10T07:00:00.000Z');
  // Small calls still fit in what is left.
  assert.equal((await quota.reserve([{ op: 'videos.list', count: 100 }], now)).ok, true);
  assert.equal((await quota.reserve([{ op: 'videos.list', count: 1 }], now)).ok, false);
  // The next Pacific day starts from zero.
  const tomorrow = await quota.reserve(upload, at('2025-03-10T07:00:00Z'));
  assert.equal(tomorrow.ok && tomorrow.remainingUnits, 10_000 - 1650);
});

test('uploads-bucket: uploads cost 100 units and one of 100 uploads a day', async () => {
  const quota = ledger({ dailyQuota: 1_000_000, costs: parseQuotaCosts('uploads-bucket') });
  const now = at('2025-06-01T12:00:00Z');
  assert.equal((await quota.reserve([{ op: 'videos.insert', count: 99 }], now)).ok, true);
  assert.equal((await quota.reserve([{ op: 'videos.insert', count: 1 }, { op: 'thumbnails.set', count: 1 }], now)).ok, true);
  const usage = await quota.usage(now);
  assert.deepEqual([usage.unitsUsed, usage.uploadsUsed], [100 * 100 + 50, 100]);
  const denied = await quota.reserve([{ op: 'videos.insert', count: 1 }], now);
  assert.equal(!denied.ok && /100 of 100 uploads/.test(denied.reason), true);
  assert.equal((await quota.reserve([{ op: 'videos.update', count: 1 }], now)).ok, true);
});

test('a request larger than a whole day is QUOTA_EXCEEDED at once, and an unknown operation INVALID_INPUT', async () => {
  const quota = ledger();
  await assert.rejects(() => quota.reserve([{ op: 'videos.insert', count: 7 }]), (err: Error & { code?: string }) =>
    err.code === 'QUOTA_EXCEEDED' && /11200 quota units/.test(err.message) && /10000 a day/.test(err.message));
  let slept = 0;
  await assert.rejects(() => quota.waitForQuota([{ op: 'videos.insert', count: 7 }], { sleep: async () => { slept++; } }), { code: 'QUOTA_EXCEEDED' });
  assert.equal(slept, 0);
  // @ts-expect-error: an operation the cost table does not know, as a caller outside TypeScript could send
  await assert.rejects(() => quota.reserve([{ op: 'videos.rate', count: 1 }]), { code: 'INVALID_INPUT', field: 'op' });
});

test('markExhausted closes the rest of the Pacific day, whatever the count said', async () => {
  const quota = ledger();
  const now = at('2025-11-02T06:30:00Z'); // 23:30 PDT on Nov 1
  await quota.markExhausted(now);
  const r = await quota.reserve([{ op: 'videos.list', count: 1 }], now);
  assert.equal(!r.ok && r.waitUntil.toISOString(), '2025-11-02T07:00:00.000Z');
  assert.equal((await quota.usage(now)).remainingUnits, 0);
  assert.equal((await quota.reserve([{ op: 'videos.list', count: 1 }], at('2025-11-02T07:00:00Z'))).ok, true);
});

test('waitForQuota sleeps until just past the reset and then reserves', async () => {
  const quota = ledger();
  let clock = at('2025-03-09T20:00:00Z').getTime(); // 13:00 PDT on the short day
  await quota.markExhausted(new Date(clock));
  const sleeps: number[] = [];
  const waits: string[] = [];
  const reservation = await quota.waitForQuota([{ op: 'videos.insert', count: 1 }], {
    now: () => new Date(clock),
    sleep: async (ms) => { sleeps.push(ms); clock += ms; },
    onWait: ({ waitUntil }) => waits.push(waitUntil.toISOString()),
  });
  assert.deepEqual(waits, ['2025-03-10T07:00:00.000Z']);
  assert.deepEqual(sleeps, [11 * 3_600_000 + 1000]);
  assert.equal(reservation.day, '2025-03-10');
});

test('waitForQuota stops when its signal is aborted', async () => {
  const quota = ledger();
  await quota.markExhausted();
  const controller = new AbortController();
  const waiting = quota.waitForQuota([{ op: 'videos.list', count: 1 }], { signal: controller.signal, onWait: () => controller.abort(new Error('stop')) });
  await assert.rejects(waiting, /stop/);
});

test('the state\'s ledger takes the daily quota and cost table from the config and needs GOOGLE_CLIENT_ID', async () => {
  const config = readYouTubeConfig({ FACELESS_DATA_DIR: dataDir, GOOGLE_CLIENT_ID: 'config-client', YOUTUBE_DAILY_QUOTA: '500', YOUTUBE_QUOTA_COSTS: 'uploads-bucket' });
  const quota = state.ledger(config);
  assert.equal((await quota.reserve([{ op: 'videos.insert', count: 5 }], at('2025-06-01T12:00:00Z'))).ok, true);
  assert.equal((await quota.reserve([{ op: 'videos.insert', count: 1 }], at('2025-06-01T12:00:00Z'))).ok, false);
  assert.throws(() => state.ledger({ ...config, clientId: undefined }), { code: 'INVALID_OPTION', field: 'GOOGLE_CLIENT_ID' });
});
