import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, chromiumPath, launchBrowser, openPage, signIn, startDashboardServer, type DashboardServer } from './browser-harness.ts';

const noChromium = chromiumPath() ? false : 'Chromium is not installed: apt-get install -y chromium (.ci/run does it)';

/** The part of @faceless/youtube/testing's fake Google used here (imported at run time, like the CLI in the harness). */
interface FakeGoogle {
  env: Record<string, string>;
  google: { counters: { authorizations: number; codeExchanges: number }; denyNext(): void };
  close(): Promise<void>;
}

let work: string | undefined;
let fake: FakeGoogle | undefined;
let server: DashboardServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let cspRefusals: string[] = [];

before(async () => {
  if (noChromium) return;
  work = await mkdtemp(join(tmpdir(), 'faceless-channels-e2e-'));
  const path: string = '../../../packages/youtube/src/testing/index.ts';
  const testing = (await import(path)) as { startFakeGoogle: (o: { dataDir: string }) => Promise<FakeGoogle> };
  fake = await testing.startFakeGoogle({ dataDir: join(work, 'unused') });
  // The fake's Google and YouTube addresses, client and secret key; the data folder stays the harness's own.
  const { FACELESS_DATA_DIR: _unused, ...google } = fake.env;
  server = await startDashboardServer(google);
  browser = await launchBrowser();
  ({ context, page, cspRefusals } = await openPage(browser));
  // The first call to /api/channels opens the embedded database in the uploader: seconds on a busy machine.
  page.setDefaultTimeout(90_000);
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
  await fake?.close();
  if (work) await rm(work, { recursive: true, force: true });
});


test('Channels: the local channel with its slots and quota, then a YouTube channel added through Google\'s consent page', { skip: noChromium, timeout: 300_000 }, async () => {
  const s = server as DashboardServer;
  await signIn(page, s.url, s.key);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
  await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/channels');

  const local = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^local/ }) });
  await local.waitFor();
  assert.match(await local.innerText(), /Local folder/);
  assert.match(await local.innerText(), /No token \(local folder\)/);
  assert.match(await local.innerText(), /None: a local folder spends no YouTube quota/);
  assert.equal(await local.getByRole('listitem').count(), 3, 'the next three free slots');
  await assertAccessible(page, 'the Channels page');

  // A name the API would refuse is caught in the page, with the field marked.
  const field = page.getByLabel('Channel name');
  await field.fill('Science!');
  await page.getByRole('button', { name: 'Add channel' }).click();
  assert.match(await page.getByRole('alert').innerText(), /not a channel name/);
  assert.equal(await field.getAttribute('aria-invalid'), 'true');

  // The fake Google approves at once and redirects to the gateway's callback, which sends the browser back here.
  await field.fill('science');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/channels' && url.search === ''),
    page.getByRole('button', { name: 'Add channel' }).click(),
  ]);
  const added = page.getByRole('status');
  await added.waitFor();
  assert.match(await added.innerText(), /Channel science is authorized/);
  assert.equal(fake?.google.counters.codeExchanges, 1);

  const science = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /^science/ }) });
  await science.waitFor();
  assert.match(await science.innerText(), /YouTube/);
  assert.match(await science.innerText(), /\bOK\b/);
  assert.equal(await science.getByRole('listitem').count(), 3);
  const quota = science.getByRole('progressbar', { name: 'Today\'s quota of science' });
  assert.equal(await quota.getAttribute('aria-valuenow'), '0');
  assert.equal(await quota.getAttribute('aria-valuemax'), '10000');
  assert.match(await quota.getAttribute('aria-valuetext') ?? '', /0 of 10000 units/);
  await assertAccessible(page, 'the Channels page with a YouTube channel');

  // Cancel on the consent page: back here with the reason, nothing added.
  fake?.google.denyNext();
  await page.getByLabel('Channel name').fill('history');
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/channels' && url.search === ''),
    page.getByRole('button', { name: 'Add channel' }).click(),
  ]);
  assert.match(await page.getByRole('alert').innerText(), /consent page was cancelled for history: nothing was added/);
  await page.getByRole('rowheader', { name: /^science/ }).waitFor();
  assert.equal(await page.getByRole('rowheader', { name: /^history/ }).count(), 0);
  assert.deepEqual(cspRefusals, []);
});
