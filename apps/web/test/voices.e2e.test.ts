import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertAccessible, chromiumPath, launchBrowser, openPage, signIn, startDashboardServer, type DashboardServer } from './browser-harness.ts';

const noChromium = chromiumPath() ? false : 'Chromium is not installed: apt-get install -y chromium (.ci/run does it)';

let server: DashboardServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let cspRefusals: string[] = [];

before(async () => {
  if (noChromium) return;
  server = await startDashboardServer();
  browser = await launchBrowser();
  ({ context, page, cspRefusals } = await openPage(browser));
  // The first list loads the espeak-ng engine in the tts-renderer: seconds on a busy machine.
  page.setDefaultTimeout(60_000);
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

test('Make: French voices in the voice select, and Listen plays a sample of the one chosen', { skip: noChromium, timeout: 180_000 }, async () => {
  const s = server as DashboardServer;
  await signIn(page, s.url, s.key);
  await page.getByLabel('Topic').waitFor();

  await page.getByLabel('Language').selectOption('fr');
  const voice = page.getByLabel('Voice', { exact: true });
  // A select once the list is in (a text field stands in while it loads or when it fails).
  await page.locator('select#make-voice option[value="fr-be"]').waitFor({ state: 'attached' });
  const options = await voice.locator('option').evaluateAll((list) => list.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
  assert.deepEqual(options[0], { value: '', text: 'Default voice for the language' });
  const french = options.slice(1);
  assert.ok(french.length >= 2, `${french.length} French voices`);
  for (const o of french) assert.match(`${o.value} ${o.text}`, /^fr|French/i, `"${o.text}" (${o.value}) in the French list`);

  // Back to English, the list changes; then French again, and its Belgian voice.
  await page.getByLabel('Language').selectOption('en');
  await page.locator('select#make-voice option[value="en-us"]').waitFor({ state: 'attached' });
  assert.equal(await page.locator('select#make-voice option[value="fr-be"]').count(), 0, 'no French voice in the English list');
  await page.getByLabel('Language').selectOption('fr');
  await page.locator('select#make-voice option[value="fr-be"]').waitFor({ state: 'attached' });
  await voice.selectOption('fr-be');

  const sample = page.waitForResponse((r) => r.url().endsWith('/api/voices/sample'));
  await page.getByRole('button', { name: /Listen/ }).click();
  const answer = await sample;
  assert.equal(answer.status(), 200);
  assert.equal(answer.headers()['content-type'], 'audio/wav');
  assert.equal(answer.request().headers().authorization, `Bearer ${s.key}`, 'the sample is asked for with the key, in a header');

  const audio = page.locator('audio');
  await audio.waitFor();
  assert.match(await audio.getAttribute('src') ?? '', /^blob:/);
  await page.waitForFunction(() => {
    const a = document.querySelector('audio');
    return a !== null && a.readyState >= 2 && Number.isFinite(a.duration);
  });
  const duration = await audio.evaluate((a: HTMLAudioElement) => a.duration);
  assert.ok(duration > 0.5 && duration < 6, `the sample lasts ${duration} s`);
  // It plays: the clock moves (Chromium is muted and lets play() start without a gesture).
  await page.waitForFunction(() => (document.querySelector('audio')?.currentTime ?? 0) > 0.1);
  assert.match(await audio.getAttribute('aria-label') ?? '', /French \(Belgium\)/);

  // Keyboard: the Listen button is reached by Tab from the voice select.
  await voice.focus();
  await page.keyboard.press('Tab');
  assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /Listen/);

  await assertAccessible(page, 'the Make page with a voice sample');
  assert.deepEqual(cspRefusals, [], 'nothing refused by the CSP (the blob: audio included)');
});
