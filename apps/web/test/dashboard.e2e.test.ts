import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ffprobe } from '@faceless/runtime';
import { assertAccessible, chromiumPath, launchBrowser, openPage, signIn, startDashboardServer, type DashboardServer } from './browser-harness.ts';

const STAGE_NAMES = ['Keywords', 'Script', 'Voice-over', 'Video', 'Thumbnails', 'Metadata', 'Publish', 'A/B test'];
const noChromium = chromiumPath() ? false : 'Chromium is not installed: apt-get install -y chromium (.ci/run does it)';

let server: DashboardServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
/** Messages the page logged about CSP refusals: the dashboard must need no inline script or style. */
let cspRefusals: string[] = [];

before(async () => {
  if (noChromium) return;
  server = await startDashboardServer();
  browser = await launchBrowser();
  ({ context, page, cspRefusals } = await openPage(browser));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const s = server as DashboardServer;
  const res = await fetch(`${s.serve.url}${path}`, { ...init, headers: { authorization: `Bearer ${s.key}`, 'content-type': 'application/json', ...init.headers } });
  assert.ok(res.ok, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}


test('the gateway serves the dashboard at / (index.html with a CSP)', { skip: noChromium }, async () => {
  const s = server as DashboardServer;
  const res = await fetch(`${s.url}/pipelines/x`, { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.match(await res.text(), /<div id="app">/);
});

test('a wrong key is refused with a clear message, and nothing else is shown', { skip: noChromium }, async () => {
  const s = server as DashboardServer;
  await page.goto(`${s.url}/`);
  await page.getByLabel('API key').waitFor();
  await assertAccessible(page, 'the sign-in page');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
  // From the keyboard alone: the page's heading has the focus, Tab reaches the field, Enter submits.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'page-title');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'api-key');
  await page.keyboard.type('fk_not-a-real-key');
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /API key was refused \(401\)/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('faceless.apiKey')), null);
  assert.equal(await page.getByLabel('Topic').count(), 0);
});

let pipelineId = '';

/** The stages that run before a pipeline started with review waits in Review. */
const BEFORE_REVIEW = STAGE_NAMES.slice(0, STAGE_NAMES.indexOf('Publish'));

async function barsAt100(): Promise<string[]> {
  return page.locator('[role="progressbar"][aria-valuenow="100"]').evaluateAll((bars) =>
    bars.map((b) => document.getElementById(b.getAttribute('aria-labelledby') ?? '')?.textContent ?? ''));
}

interface StatusView {
  state: string;
  request: { review?: boolean; channel?: string; durationSec?: number };
  review?: { title: string; titles: string[]; description: string; thumbnails: number; thumbnail: number };
  error?: { stage: string; code: string; message: string };
  stages: { stage: string; status: string; output?: Record<string, unknown> & { metadata?: { title: string }; variants?: { path: string }[]; channel?: string; recordPath?: string } }[];
}

test('sign in, make a 15 s video with review on, and watch the stage bars reach 100 % live up to Review', { skip: noChromium, timeout: 420_000 }, async () => {
  const s = server as DashboardServer;
  await signIn(page, s.url, s.key);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('faceless.apiKey')), s.key);
  assert.doesNotMatch(page.url(), /fk_/);
  await page.getByLabel('Topic').fill('Why the sea is salty');
  await page.getByLabel('Duration (seconds)').fill('15');
  // faceless serve lists its channels (GET /api/channels): the field becomes a select of them, local chosen.
  const channel = page.getByRole('combobox', { name: 'Channel' });
  await channel.waitFor();
  assert.equal(await channel.inputValue(), 'local');
  assert.deepEqual(await channel.locator('option').evaluateAll((options: HTMLOptionElement[]) => options.map((o) => o.value)), ['local']);
  // From the keyboard: the checkbox is reached with Tab like every field, and Space ticks it.
  await page.getByLabel('Review before publishing').focus();
  await page.keyboard.press('Space');
  assert.equal(await page.getByLabel('Review before publishing').isChecked(), true);
  await assertAccessible(page, 'the make page');
  await page.getByRole('button', { name: 'Make video' }).click();
  await page.waitForURL(/\/pipelines\/[\w.-]+$/);
  pipelineId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
  assert.ok(pipelineId);

  for (const name of STAGE_NAMES) assert.equal(await page.getByRole('progressbar', { name }).count(), 1, `one progress bar named ${name}`);
  assert.equal(await page.getByRole('progressbar').count(), STAGE_NAMES.length);
  await assertAccessible(page, 'a running pipeline page');

  // Live updates arrive over SSE: no reload while the pipeline runs, and none when it stops for the review.
  const approve = page.getByRole('button', { name: 'Approve and publish' });
  await approve.waitFor({ timeout: 360_000 });
  assert.deepEqual(await barsAt100(), BEFORE_REVIEW, 'every stage before the upload is at 100 %, and only those');
  assert.equal(await page.getByRole('progressbar', { name: 'Publish' }).getAttribute('aria-valuenow'), '0');
  assert.match(await page.locator('li.stage', { has: page.locator('#stage-upload-label') }).locator('.stage-text').innerText(), /waiting for your review/);
  await page.getByText('Review', { exact: true }).first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Reject' }).count(), 1);

  const status = await api<StatusView>(`/api/pipelines/status/${pipelineId}`);
  assert.equal(status.state, 'Review');
  assert.equal(status.request.review, true);
  assert.equal(status.request.channel, 'local');
  assert.ok(status.review, 'the status offers the review');
  const title = status.stages.find((st) => st.stage === 'metadata')?.output?.metadata?.title ?? '';
  assert.ok(title);
  assert.equal(status.review.title, title);
  assert.equal(await page.getByLabel('Title', { exact: true }).inputValue(), title);
  assert.equal(await page.getByLabel('Description', { exact: true }).inputValue(), status.review.description);
  assert.equal(await page.getByRole('group', { name: 'Thumbnail', exact: true }).getByRole('radio').count(), status.review.thumbnails);
  assert.ok(status.review.thumbnails >= 2, `${status.review.thumbnails} thumbnails to choose from`);
  await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('.review-thumbs img')].every((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 15_000 });
  const thumbRadios = page.getByRole('group', { name: 'Thumbnail', exact: true }).getByRole('radio');
  assert.equal(await thumbRadios.nth(status.review.thumbnail).isChecked(), true, 'the proposed thumbnail is picked');
  assert.equal(await page.getByRole('radio', { name: /^Thumbnail \w+ \(proposed\)$/ }).isChecked(), true, 'the radio says which is proposed');
  await assertAccessible(page, 'the review panel');
  assert.deepEqual(cspRefusals, []);
});

test('the video plays in the page (range requests), with the voice-over and the thumbnails', { skip: noChromium, timeout: 90_000 }, async () => {
  const s = server as DashboardServer;
  assert.ok(pipelineId, 'the make test ran');
  const artifacts = await api<{ artifacts: { name: string; key: string; url?: string }[] }>(`/api/pipelines/${pipelineId}/artifacts`);
  const video = artifacts.artifacts.find((a) => a.name === 'video');
  assert.ok(video, 'a video artifact');
  const probe = await ffprobe(join(s.serve.storeDir, video.key));
  const fileDuration = Number(probe.format.duration);
  assert.ok(fileDuration >= 14 && fileDuration < 30, `the file lasts ${fileDuration} s`);
  assert.match(video.url ?? '', /^\/api\/pipelines\/[\w.-]+\/artifacts\/content\?key=.+&exp=\d+&sig=/, 'a signed link on this origin');
  // The link itself, without the key: a seek to the middle is a Range request answered 206 with those bytes.
  const size = (await stat(join(s.serve.storeDir, video.key))).size;
  const middle = Math.floor(size / 2);
  const ranged = await fetch(`${s.url}${video.url}`, { headers: { range: `bytes=${middle}-${middle + 99}` } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get('content-range'), `bytes ${middle}-${middle + 99}/${size}`);
  assert.equal((await ranged.arrayBuffer()).byteLength, 100);

  const rangeAnswers: number[] = [];
  const onResponse = (response: { url(): string; status(): number; request(): { headers(): Record<string, string> } }): void => {
    if (response.url().includes('/artifacts/content') && response.request().headers().range) rangeAnswers.push(response.status());
  };
  page.on('response', onResponse);
  assert.ok(await page.locator('.thumbs img').count() >= 2, 'the thumbnails are shown');
  assert.equal(await page.locator('audio').count(), 1, 'the voice-over player');

  await page.locator('video').waitFor();
  const played = await page.locator('video').evaluate(async (el: HTMLVideoElement) => {
    // No named helper inside: tsx would wrap it in __name(), which the page does not have.
    el.muted = true;
    await el.play();
    const start = performance.now();
    while (el.readyState < 3 && performance.now() - start < 20_000) await new Promise((r) => setTimeout(r, 100));
    const readyState = el.readyState;
    // Playing: the clock moves on its own.
    const before = el.currentTime;
    while (el.currentTime - before < 0.5 && performance.now() - start < 30_000) await new Promise((r) => setTimeout(r, 100));
    const advanced = el.currentTime - before;
    // A seek near the end is answered from a range request.
    const seeked = new Promise((r) => el.addEventListener('seeked', r, { once: true }));
    el.currentTime = Math.max(0, el.duration - 2);
    await Promise.race([seeked, new Promise((r) => setTimeout(r, 10_000))]);
    return { readyState, advanced, duration: el.duration, error: el.error?.message ?? null, currentTime: el.currentTime };
  });
  page.off('response', onResponse);
  assert.equal(played.error, null);
  assert.ok(played.readyState >= 3, `readyState ${played.readyState}`);
  assert.ok(played.advanced >= 0.5, `currentTime advanced ${played.advanced} s while playing`);
  assert.ok(rangeAnswers.includes(206), `the browser's range requests were answered ${JSON.stringify(rangeAnswers)}`);
  assert.ok(Math.abs(played.duration - fileDuration) <= 1, `the page's video lasts ${played.duration} s, the file ${fileDuration} s`);
  assert.ok(played.currentTime >= fileDuration - 3, `seeked to ${played.currentTime}`);
  const thumbsLoaded = await page.locator('.thumbs img').evaluateAll((imgs: HTMLImageElement[]) => imgs.every((i) => i.complete && i.naturalWidth === 1280));
  assert.ok(thumbsLoaded, 'every thumbnail loads, 1280 px wide');
  // Downloads: the video, each thumbnail and both caption files, as attachments.
  const downloads = await page.locator('.downloads a').evaluateAll((links: HTMLAnchorElement[]) => links.map((a) => ({ name: a.textContent ?? '', href: a.getAttribute('href') ?? '' })));
  for (const name of ['video', 'captions (SRT)', 'captions (WebVTT)']) assert.ok(downloads.some((d) => d.name === name), `a download named ${name}`);
  assert.ok(downloads.filter((d) => d.name.startsWith('thumbnail ')).length >= 2, 'the thumbnails are offered for download');
  const srt = downloads.find((d) => d.name === 'captions (SRT)');
  const srtAnswer = await fetch(`${s.url}${srt?.href ?? ''}`);
  assert.equal(srtAnswer.status, 200);
  assert.match(srtAnswer.headers.get('content-disposition') ?? '', /^attachment; filename=".+\.srt"/);
  assert.match(await srtAnswer.text(), /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> /);
  await assertAccessible(page, 'a completed pipeline page with its media');
  assert.deepEqual(cspRefusals, []);
});

let rejectedId = '';

test('edit the title, choose another thumbnail and approve: published on the local channel as edited', { skip: noChromium, timeout: 180_000 }, async () => {
  const s = server as DashboardServer;
  assert.ok(pipelineId, 'the make test ran');
  const before = await api<StatusView>(`/api/pipelines/status/${pipelineId}`);
  assert.ok(before.review);
  // A proposed title fills the field; typing over it leaves no proposal picked.
  const proposals = page.getByRole('group', { name: 'Proposed titles' }).getByRole('radio');
  assert.ok(await proposals.count() >= 2, 'title alternatives to pick from');
  await proposals.nth(1).check();
  const picked = await page.getByLabel('Title', { exact: true }).inputValue();
  assert.notEqual(picked, before.review.title);
  assert.ok(before.review.titles.includes(picked), `"${picked}" is one of the status's titles`);
  const edited = 'Salt in the sea, explained in 15 seconds';
  await page.getByLabel('Title', { exact: true }).fill(edited);
  assert.equal(await proposals.evaluateAll((radios: HTMLInputElement[]) => radios.filter((r) => r.checked).length), 0);
  const chosen = before.review.thumbnail === 1 ? 0 : 1;
  await page.getByRole('group', { name: 'Thumbnail', exact: true }).getByRole('radio').nth(chosen).check();
  await assertAccessible(page, 'the review panel, edited');

  await page.getByRole('button', { name: 'Approve and publish' }).click();
  await page.getByText('Approved: publishing on local.').waitFor({ timeout: 20_000 });
  await page.waitForFunction(
    (n) => document.querySelectorAll('[role="progressbar"][aria-valuenow="100"]').length === n,
    STAGE_NAMES.length, { timeout: 150_000, polling: 500 },
  );
  await page.getByText('Completed', { exact: true }).first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0, 'no review panel once decided');

  const status = await api<StatusView>(`/api/pipelines/status/${pipelineId}`);
  assert.equal(status.state, 'Completed');
  assert.equal(status.review, undefined);
  const upload = status.stages.find((st) => st.stage === 'upload');
  assert.equal(upload?.status, 'completed');
  assert.equal(upload?.output?.channel, 'local');
  // What the local channel published: the edited title and the chosen thumbnail, not the proposal's.
  const recordKey = upload?.output?.recordPath ?? '';
  assert.ok(recordKey, 'the local channel wrote a publish record');
  const record = JSON.parse(await readFile(join(s.serve.storeDir, recordKey), 'utf8')) as { title: string; channel: string; thumbnail: { key: string } };
  const variants = status.stages.find((st) => st.stage === 'thumbnail')?.output?.variants ?? [];
  assert.deepEqual([record.title, record.channel, record.thumbnail.key], [edited, 'local', variants[chosen]?.path]);
  await page.locator('.published-title').waitFor();
  assert.equal(await page.locator('.published-title').innerText(), edited);
  assert.equal(await page.locator('.video-title').innerText(), before.review.title, 'the metadata section keeps the proposal');
  await assertAccessible(page, 'a pipeline published after its review');
  assert.deepEqual(cspRefusals, []);

  // The second pipeline, to reject: it renders while the A/B test is checked.
  rejectedId = (await api<{ pipelineId: string }>('/api/pipelines/start', { method: 'POST', body: JSON.stringify({ topic: 'Why the sky is blue', durationSec: 15, review: true }) })).pipelineId;
});

test('the A/B test of the pipeline: variants with thumbnails, a CSV imported through the page, the chart, stop and apply the winner', { skip: noChromium, timeout: 90_000 }, async () => {
  assert.ok(pipelineId, 'the make test ran');
  // The experiment is the one the pipeline's A/B test stage created in the ab-tester's database (PGlite).
  const status = await api<{ stages: { stage: string; output?: { testId?: string } }[] }>(`/api/pipelines/status/${pipelineId}`);
  const testId = status.stages.find((st) => st.stage === 'abtest')?.output?.testId ?? '';
  assert.ok(testId, 'the pipeline started an A/B test');
  const list = await api<{ experiments: { id: string; pipelineId: string }[] }>('/api/abtests');
  assert.ok(list.experiments.some((e) => e.id === testId && e.pipelineId === pipelineId));
  const before = await api<{ experiment: { createdAt: string }; variants: { label: string; thumbnailKey: string | null; thumbnailUrl?: string }[] }>(`/api/abtests/${testId}`);
  const labels = before.variants.map((v) => v.label);
  assert.ok(labels.length >= 2, `${labels.length} variants`);
  assert.ok(before.variants.every((v) => v.thumbnailUrl), `a signed thumbnail link per variant: ${JSON.stringify(before.variants.map((v) => [v.thumbnailKey, v.thumbnailUrl]))}`);
  const thumb = await fetch(`${server?.url ?? ''}${before.variants[0]?.thumbnailUrl ?? ''}`);
  assert.equal(thumb.status, 200, `the thumbnail link answers: ${thumb.status} ${await thumb.clone().text().then((t) => t.slice(0, 300))}`);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'A/B tests' }).click();
  await page.getByRole('link', { name: testId.slice(0, 8) }).click();
  await page.waitForURL(new RegExp(`/abtests/${testId}$`));
  await page.getByRole('table').waitFor();
  for (const label of labels) await page.getByRole('rowheader', { name: new RegExp(`^${label}`) }).waitFor();
  await page.waitForFunction((n) => [...document.querySelectorAll<HTMLImageElement>('table.variants img')].filter((i) => i.complete && i.naturalWidth > 0).length === n, labels.length, { timeout: 15_000 });
  assert.ok(await page.getByRole('list', { name: 'Planned order of the periods' }).locator('li').count() >= labels.length * 2, 'the rotation plan is shown');
  await assertAccessible(page, 'an A/B test before its metrics');

  // Daily periods after the launch days; the second variant's CTR is twice the others'.
  const best = labels[1] as string;
  const day = 86_400_000;
  const first = Math.floor(Date.parse(before.experiment.createdAt) / day) * day + 4 * day;
  const lines = ['variant,period_start,period_end,impressions,clicks'];
  for (let k = 0; k < 4 * labels.length; k++) {
    const label = labels[k % labels.length] as string;
    lines.push(`${label},${new Date(first + k * day).toISOString()},${new Date(first + (k + 1) * day).toISOString()},2000,${label === best ? 140 : 70}`);
  }
  await page.getByLabel('Metrics CSV').setInputFiles({ name: 'metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) });
  await page.getByRole('button', { name: 'Import CSV' }).click();
  await page.getByText(`Imported ${lines.length - 1} rows.`).waitFor({ timeout: 20_000 });
  const bestRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${best}`) }) });
  await bestRow.getByRole('cell', { name: '8,000' }).waitFor();
  const pBest = Number((await bestRow.locator('td').last().innerText()).replace(/[^\d.]/g, ''));
  assert.ok(pBest > 90, `P(best) of ${best} is ${pBest} %`);
  assert.equal(await page.locator('svg.posterior-chart path[data-variant]').count(), labels.length, 'one posterior curve per variant');
  assert.match(await page.locator('svg.posterior-chart desc').textContent() ?? '', new RegExp(`${best} leads`));
  await assertAccessible(page, 'an A/B test with its metrics and chart');

  assert.equal(await page.getByLabel('Winner to apply').inputValue(), best, 'the leader is offered');
  await page.getByRole('button', { name: 'Stop and apply the winner' }).click();
  await page.getByText(`Stopped: ${best} is applied.`).waitFor({ timeout: 20_000 });
  await page.getByText(`Winner: ${best}`).waitFor();
  const after = await api<{ experiment: { status: string }; decision: { winner: string } }>(`/api/abtests/${testId}`);
  assert.deepEqual([after.experiment.status, after.decision.winner], ['stopped', best]);
  assert.equal(await page.getByRole('button', { name: 'Stop and apply the winner' }).count(), 0, 'an ended experiment offers no stop');
  await assertAccessible(page, 'a stopped A/B test');
  assert.deepEqual(cspRefusals, []);
});

test('a second pipeline rejected in its review ends Failed with the rejection, and nothing is published', { skip: noChromium, timeout: 420_000 }, async () => {
  const s = server as DashboardServer;
  assert.ok(rejectedId, 'the approve test started it');
  await page.goto(`${s.url}/pipelines/${rejectedId}`);
  const reject = page.getByRole('button', { name: 'Reject', exact: true });
  await reject.waitFor({ timeout: 360_000 }).catch(async (err: Error) => {
    // Say where the pipeline was, and what the page showed, rather than only that a button never came.
    const seen = await api<StatusView>(`/api/pipelines/status/${rejectedId}`).catch((e: Error) => e.message);
    const shown = await page.locator('main').innerText().catch(() => '');
    throw new Error(`${err.message}\nstatus: ${JSON.stringify(seen).slice(0, 1500)}\npage: ${shown.slice(0, 800)}`);
  });
  assert.deepEqual(await barsAt100(), BEFORE_REVIEW);
  // Reject asks first: the reason field opens with the focus in it.
  assert.equal(await reject.getAttribute('aria-expanded'), 'false');
  await reject.click();
  assert.equal(await reject.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'review-reason');
  assert.equal(await page.getByLabel('Reason (optional)').count(), 1);
  await assertAccessible(page, 'the review panel asking for a reason');
  const reason = 'Off topic for this channel';
  await page.keyboard.type(reason);
  await page.getByRole('button', { name: 'Confirm rejection' }).click();
  await page.getByText('Rejected: nothing is published.').waitFor({ timeout: 20_000 });
  await page.getByText('Failed', { exact: true }).first().waitFor({ timeout: 30_000 });
  const alert = page.locator('div.error[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /Rejected in review/);
  assert.match(await alert.innerText(), /REVIEW_REJECTED/);

  const status = await api<StatusView>(`/api/pipelines/status/${rejectedId}`);
  assert.equal(status.state, 'Failed');
  assert.equal(status.error?.code, 'REVIEW_REJECTED');
  assert.match(status.error?.message ?? '', new RegExp(reason));
  assert.match(await alert.innerText(), new RegExp(reason), 'the page shows the reason');
  assert.notEqual(status.stages.find((st) => st.stage === 'upload')?.status, 'completed');
  const artifacts = await api<{ artifacts: { name: string }[] }>(`/api/pipelines/${rejectedId}/artifacts`);
  assert.equal(artifacts.artifacts.some((a) => a.name === 'publish record'), false, 'nothing was published');
  assert.equal(await page.getByRole('button', { name: 'Approve and publish' }).count(), 0);
  await assertAccessible(page, 'a pipeline rejected in its review');
  assert.deepEqual(cspRefusals, []);
});

test('a batch of three topics queues three pipelines', { skip: noChromium, timeout: 60_000 }, async () => {
  const s = server as DashboardServer;
  await page.getByRole('link', { name: 'Batch' }).click();
  const topics = ['Batch topic one', 'Batch topic two', 'Batch topic three'];
  await page.getByLabel('Topics, one per line').fill(topics.join('\n'));
  await page.getByLabel('Duration (seconds)').fill('15');
  await assertAccessible(page, 'the batch page');
  await page.getByRole('button', { name: 'Queue 3 videos' }).click();
  await page.waitForFunction(() => document.querySelectorAll('.queued li a').length === 3, undefined, { timeout: 30_000 });
  const list = await api<{ pipelines: { pipelineId: string; topic: string }[] }>('/api/pipelines?limit=20&offset=0');
  const queued = list.pipelines.filter((p) => topics.includes(p.topic));
  assert.deepEqual(queued.map((p) => p.topic).sort(), [...topics].sort());
  const status = await api<{ request: { durationSec: number } }>(`/api/pipelines/status/${queued[0]?.pipelineId}`);
  assert.equal(status.request.durationSec, 15);

  await page.getByRole('link', { name: 'Pipelines' }).click();
  await page.getByRole('table').waitFor();
  for (const topic of topics) await page.getByRole('link', { name: topic }).waitFor();
  await page.getByLabel('State').selectOption('Completed');
  await page.waitForFunction(() => document.querySelectorAll('table.pipelines tbody a').length === 1);
  await assertAccessible(page, 'the pipelines list');
  // Stop the three so the machine is free for the next tests.
  for (const p of queued) await fetch(`${s.serve.url}/api/pipelines/${p.pipelineId}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${s.key}` } });
  assert.deepEqual(cspRefusals, []);
});
