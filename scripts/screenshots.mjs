// Regenerates docs/screenshots/*.png, one per dashboard page, from a real run: an in-process `faceless serve`
// with an API key, one 15 s video made through the API with review on (approved in the page), Debian's Chromium
// (playwright-core).
// Run: npm run build -w apps/web && node --import tsx scripts/screenshots.mjs
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, signIn, startDashboardServer } from '../apps/web/test/browser-harness.ts';

const out = join(import.meta.dirname, '..', 'docs', 'screenshots');
await mkdir(out, { recursive: true });
const server = await startDashboardServer();
const browser = await launchBrowser();
const shot = async (page, name) => {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png`);
};
try {
  const api = async (path, init = {}) => {
    const res = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  };
  const { pipelineId } = await api('/api/pipelines/start', { method: 'POST', body: JSON.stringify({ topic: 'Why the sea is salty', durationSec: 15, review: true }) });

  const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 })).newPage();
  await page.goto(`${server.url}/`);
  await page.getByLabel('API key').waitFor();
  await shot(page, 'sign-in');
  await signIn(page, server.url, server.key);
  await page.getByLabel('Topic').fill('How octopuses think');
  await page.getByLabel('Review before publishing').check();
  await page.getByRole('combobox', { name: 'Channel' }).waitFor();
  await page.getByRole('combobox', { name: 'Voice' }).waitFor();
  await shot(page, 'make');
  await page.getByRole('link', { name: 'Batch' }).click();
  await page.getByLabel('Topics, one per line').fill('The history of tea\nWhy cats purr\nDeep sea giants');
  await shot(page, 'batch');

  await page.goto(`${server.url}/pipelines/${pipelineId}`);
  await page.getByRole('progressbar', { name: 'Video' }).waitFor();
  await page.waitForFunction(() => document.querySelector('[role="progressbar"][aria-valuenow="100"]') !== null, undefined, { timeout: 300_000 });
  await shot(page, 'pipeline-running');
  await page.getByRole('button', { name: 'Approve and publish' }).waitFor({ timeout: 300_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('.review-thumbs img')].every((i) => i.complete && i.naturalWidth > 0));
  await page.getByLabel('Title', { exact: true }).fill('Salt in the sea, explained in 15 seconds');
  await page.getByLabel('Title', { exact: true }).blur();
  await page.locator('#review-heading').scrollIntoViewIfNeeded();
  await shot(page, 'review');
  await page.getByRole('button', { name: 'Approve and publish' }).click();
  for (let i = 0; i < 600; i++) {
    const status = await api(`/api/pipelines/status/${pipelineId}`);
    if (status.state === 'Completed' || status.state === 'Failed') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1500);
  await shot(page, 'pipeline');
  await page.getByRole('link', { name: 'Pipelines' }).click();
  await page.getByRole('table').waitFor();
  await shot(page, 'pipelines');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Channels' }).click();
  await page.getByRole('table').waitFor();
  await shot(page, 'channels');

  // The pipeline's A/B test with a few days of metrics: daily periods after the launch, the second variant ahead.
  const status = await api(`/api/pipelines/status/${pipelineId}`);
  const testId = status.stages.find((st) => st.stage === 'abtest')?.output?.testId;
  if (testId) {
    const report = await api(`/api/abtests/${testId}`);
    const labels = report.variants.map((v) => v.label);
    const day = 86_400_000;
    const first = Math.floor(Date.parse(report.experiment.createdAt) / day) * day + 4 * day;
    const lines = ['variant,period_start,period_end,impressions,clicks'];
    for (let k = 0; k < 4 * labels.length; k++) {
      const label = labels[k % labels.length];
      lines.push(`${label},${new Date(first + k * day).toISOString()},${new Date(first + (k + 1) * day).toISOString()},${1800 + 37 * k},${label === labels[1] ? 118 + k : 81 + k}`);
    }
    await api(`/api/abtests/${testId}/metrics/csv`, { method: 'POST', body: JSON.stringify({ csv: `${lines.join('\n')}\n` }) });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'A/B tests' }).click();
    await page.getByRole('table').waitFor();
    await shot(page, 'abtests');
    await page.getByRole('link', { name: testId.slice(0, 8) }).click();
    await page.locator('svg.posterior-chart').waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('table.variants img')].every((i) => i.complete && i.naturalWidth > 0));
    await shot(page, 'abtest');
  }
} finally {
  await browser.close();
  await server.close();
}
