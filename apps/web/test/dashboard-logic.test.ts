import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASPECTS, CAPTION_STYLES, LANGUAGES, PipelineRequest, PipelineReviewRequest, STAGES, YOUTUBE_LIMITS, type PipelineReview } from '@faceless/contracts';
import { channelChoices } from '../src/channel-field.tsx';
import { parseTopicCsv, parseTopicList, splitCsv } from '../src/batch-rows.ts';
import { betaDensity, logGamma, posteriorCurves } from '../src/beta-density.ts';
import { matchesFilter } from '../src/format.ts';
import { firstPeriodStart } from '../src/pages/abtest-page.tsx';
import { ASPECT_NAMES, CAPTION_STYLE_NAMES, DEFAULT_OPTIONS, LANGUAGE_NAMES } from '../src/request-options.tsx';
import { REVIEW_LIMITS, approvalOf, rejectionOf, reviewComing, reviewOf, titleChoices } from '../src/review-form.ts';
import { routeOf } from '../src/router.ts';
import { SseParser } from '../src/sse-parser.ts';
import { STAGE_LABELS, STAGE_ORDER } from '../src/stage-labels.ts';

test('the page names every stage, in the seed\'s order, and offers exactly the contract\'s choices', () => {
  assert.deepEqual(STAGE_ORDER, STAGES.map((s) => s.key));
  assert.deepEqual(Object.values(STAGE_LABELS), ['Keywords', 'Script', 'Voice-over', 'Video', 'Thumbnails', 'Metadata', 'Publish', 'A/B test']);
  assert.deepEqual(Object.keys(LANGUAGE_NAMES), [...LANGUAGES]);
  assert.deepEqual(Object.keys(ASPECT_NAMES), [...ASPECTS]);
  assert.deepEqual(Object.keys(CAPTION_STYLE_NAMES), [...CAPTION_STYLES]);
  assert.ok(PipelineRequest.safeParse({ ...DEFAULT_OPTIONS, topic: 'x' }).success, 'the form\'s defaults are a valid request');
});

test('SSE: messages split across chunks, CRLF, comments, multi-line data and the id to resume from', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed(': connected\n\nid: 1\nevent: pipeline.started\nda'), []);
  assert.deepEqual(p.feed('ta: {"a":1}\n\n'), [{ lastEventId: '1', event: 'pipeline.started', data: '{"a":1}' }]);
  assert.deepEqual(p.feed('id: 2\r\nevent: progress\r\ndata: line one\r\ndata: line two\r'), []);
  assert.deepEqual(p.feed('\n\r\n'), [{ lastEventId: '2', event: 'progress', data: 'line one\nline two' }]);
  // No data: nothing dispatched, but the id still moves on; no event name means "message".
  assert.deepEqual(p.feed('id: 3\n\ndata:x\n\n'), [{ lastEventId: '3', event: 'message', data: 'x' }]);
  assert.equal(p.lastEventId, '3');
  assert.equal(new SseParser('7').lastEventId, '7');
});

test('a pasted list: one topic per line, blanks and # comments skipped, the defaults on each', () => {
  const r = parseTopicList('First topic\n\n  # a note\nSecond topic  \r\nThird', { ...DEFAULT_OPTIONS, durationSec: 15 });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.rows.map((x) => [x.line, x.request.topic, x.request.durationSec]), [[1, 'First topic', 15], [4, 'Second topic', 15], [5, 'Third', 15]]);
  assert.deepEqual(parseTopicList(' \n', DEFAULT_OPTIONS).errors, ['the list is empty: write one topic per line']);
});

test('a CSV: quoted fields, per-row options over the defaults, and errors that name the line and the fix', () => {
  assert.deepEqual(splitCsv('a,"b, ""c"""\r\n1,2\n'), [['a', 'b, "c"'], ['1', '2']]);
  const csv = '\uFEFFTopic,Duration,lang,Music,caption_style\n"Tea, a history",30,fr,no,block\nOctopuses,,,,\n';
  const r = parseTopicCsv(csv, DEFAULT_OPTIONS);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.rows[0], { line: 2, request: { ...DEFAULT_OPTIONS, topic: 'Tea, a history', durationSec: 30, lang: 'fr', music: false, captionStyle: 'block' } });
  assert.deepEqual(r.rows[1], { line: 3, request: { ...DEFAULT_OPTIONS, topic: 'Octopuses' } });
  for (const row of r.rows) assert.ok(PipelineRequest.safeParse(row.request).success);

  assert.deepEqual(parseTopicCsv('subject\nx\n', DEFAULT_OPTIONS).errors, [
    'column "subject" is not known: use topic, lang, duration, aspect, voice, captions, mood, music or channel',
    'the CSV file has no "topic" column: name the first header cell "topic"',
  ]);
  assert.deepEqual(parseTopicCsv('topic,duration,music\nA,1.5,maybe\n,20,\n', DEFAULT_OPTIONS).errors, [
    'line 2: duration "1.5" is not a whole number of seconds (e.g. 60)',
    'line 2: music "maybe" must be yes or no',
    'line 3: the topic is empty: fill the "topic" cell or delete the row',
  ]);
  assert.match(parseTopicCsv('', DEFAULT_OPTIONS).errors[0] ?? '', /empty/);
});

test('client-side routes and the list\'s state filter', () => {
  assert.deepEqual(routeOf('/'), { page: 'make' });
  assert.deepEqual(routeOf('/pipelines/'), { page: 'pipelines' });
  assert.deepEqual(routeOf('/pipelines/p_1-x.2'), { page: 'pipeline', id: 'p_1-x.2' });
  assert.deepEqual(routeOf('/abtests'), { page: 'abtests' });
  assert.deepEqual(routeOf('/abtests/0b1e-42'), { page: 'abtest', id: '0b1e-42' });
  assert.equal(routeOf('/pipelines/a/b').page, 'not-found');
  assert.equal(matchesFilter('Video', 'active'), true);
  assert.equal(matchesFilter('Completed', 'active'), false);
  assert.equal(matchesFilter('Failed', 'Failed'), true);
  // A pipeline waiting for someone is not "running": it has its own filter.
  assert.equal(matchesFilter('Review', 'active'), false);
  assert.equal(matchesFilter('Review', 'Review'), true);
  assert.equal(matchesFilter('Video', 'Review'), false);
});

test('the posterior chart\'s Beta densities: ln Γ exact on integers, each curve integrates to 1 and peaks at its mode, large counts do not overflow', () => {
  for (const n of [1, 2, 5, 10, 30]) {
    let factorial = 1;
    for (let k = 2; k < n; k++) factorial *= k;
    assert.ok(Math.abs(logGamma(n) - Math.log(factorial)) < 1e-9, `ln Γ(${n})`);
  }
  for (const [a, b] of [[2, 5], [71, 1931], [1401, 18601]] as const) {
    const steps = 200_000;
    let area = 0;
    let best = { x: 0, y: 0 };
    for (let i = 1; i < steps; i++) {
      const x = i / steps;
      const y = betaDensity(x, a, b);
      area += y / steps;
      if (y > best.y) best = { x, y };
    }
    assert.ok(Math.abs(area - 1) < 1e-3, `Beta(${a}, ${b}) integrates to ${area}`);
    assert.ok(Math.abs(best.x - (a - 1) / (a + b - 2)) < 1e-4, `Beta(${a}, ${b}) peaks at ${best.x}`);
  }
  assert.equal(betaDensity(0, 2, 2), 0);
  const chart = posteriorCurves([
    { label: 'A', alpha: 71, beta: 1931, lower: 0.028, upper: 0.044 },
    { label: 'B', alpha: 141, beta: 1861, lower: 0.059, upper: 0.082 },
  ], 100);
  assert.ok(chart.from < 0.028 && chart.to > 0.082 && chart.from >= 0 && chart.to <= 1);
  assert.deepEqual(chart.curves.map((c) => c.points.length), [101, 101]);
  assert.ok(chart.peak > 0 && Number.isFinite(chart.peak));
});

test('the rotation schedule starts on the grid of the next rotation: the Pacific midnight before the experiment began', () => {
  const day = 86_400_000;
  assert.equal(new Date(firstPeriodStart('2026-12-03T14:30:27Z', '2026-12-04T08:00:00Z', day)).toISOString(), '2026-12-03T08:00:00.000Z');
  assert.equal(new Date(firstPeriodStart('2026-12-03T14:30:27Z', '2026-12-09T08:00:00Z', day)).toISOString(), '2026-12-03T08:00:00.000Z', 'days later');
  assert.equal(new Date(firstPeriodStart('2026-12-03T08:00:00Z', '2026-12-04T08:00:00Z', day)).toISOString(), '2026-12-03T08:00:00.000Z', 'on a boundary');
  assert.equal(firstPeriodStart('2026-12-03T14:30:27Z', undefined, day), Date.parse('2026-12-03T14:30:27Z'), 'an ended experiment: its start');
});

const proposal: PipelineReview = {
  title: 'Why the sea is salty', titles: ['Why the sea is salty', 'The salt in the sea', 'Where sea salt comes from'],
  description: 'Rivers carry salt.\n\n#ocean', thumbnails: 3, thumbnail: 0,
};

test('review: the page\'s limits are the contract\'s, and the status\'s review shows only in the Review state', () => {
  assert.equal(REVIEW_LIMITS.titleChars, YOUTUBE_LIMITS.titleChars);
  assert.equal(REVIEW_LIMITS.descriptionBytes, YOUTUBE_LIMITS.descriptionBytes);
  assert.ok(PipelineReviewRequest.safeParse({ decision: 'reject', reason: 'x'.repeat(REVIEW_LIMITS.reasonChars) }).success);
  assert.ok(!PipelineReviewRequest.safeParse({ decision: 'reject', reason: 'x'.repeat(REVIEW_LIMITS.reasonChars + 1) }).success);
  assert.ok(PipelineRequest.safeParse({ ...DEFAULT_OPTIONS, topic: 'x', review: true }).success, 'the make form\'s review checkbox is a request field');
  assert.equal(reviewOf({ state: 'Review', review: proposal }), proposal);
  assert.equal(reviewOf({ state: 'Upload', review: proposal }), undefined);
  assert.equal(reviewOf({ state: 'Review' }), undefined);
  assert.deepEqual(titleChoices(proposal), proposal.titles, 'the chosen title once, first');
  assert.deepEqual(titleChoices({ ...proposal, title: 'Mine', titles: ['A', '', 'A'] }), ['Mine', 'A']);
});

test('review: an approval sends only what changed, trimmed, and the server\'s schema takes it; bad edits name the field', () => {
  const same = { title: proposal.title, description: proposal.description, thumbnail: 0 };
  assert.deepEqual(approvalOf(proposal, same), { ok: true, body: { decision: 'approve' } });
  const edited = approvalOf(proposal, { title: '  Salt, explained  ', description: 'New text', thumbnail: 2 });
  assert.deepEqual(edited, { ok: true, body: { decision: 'approve', title: 'Salt, explained', description: 'New text', thumbnail: 2 } });
  assert.ok(edited.ok && PipelineReviewRequest.safeParse(edited.body).success);

  const field = (c: ReturnType<typeof approvalOf>): string | undefined => (c.ok ? undefined : c.field);
  assert.equal(field(approvalOf(proposal, { ...same, title: '   ' })), 'title');
  assert.equal(field(approvalOf(proposal, { ...same, title: 'x'.repeat(101) })), 'title');
  assert.equal(field(approvalOf(proposal, { ...same, title: 'x'.repeat(100) })), undefined);
  assert.equal(field(approvalOf(proposal, { ...same, title: 'a <b> title' })), 'title');
  // Bytes, not characters: 2,500 two-byte letters are at the limit, one more is over it.
  assert.equal(field(approvalOf(proposal, { ...same, description: 'é'.repeat(2500) })), undefined);
  assert.equal(field(approvalOf(proposal, { ...same, description: 'é'.repeat(2501) })), 'description');
  assert.ok(!PipelineReviewRequest.safeParse({ decision: 'approve', description: 'é'.repeat(2501) }).success, 'the server agrees');
  assert.equal(field(approvalOf(proposal, { ...same, description: 'see <here>' })), 'description');
  assert.equal(field(approvalOf(proposal, { ...same, thumbnail: 3 })), 'thumbnail');

  assert.deepEqual(rejectionOf('  '), { ok: true, body: { decision: 'reject' } });
  assert.deepEqual(rejectionOf(' Off topic '), { ok: true, body: { decision: 'reject', reason: 'Off topic' } });
  assert.equal(rejectionOf('x'.repeat(501)).ok, false);
});

test('the channel select: the server\'s channels, with local and the current value kept', () => {
  assert.deepEqual(channelChoices([{ name: 'main', kind: 'youtube' }], 'local').map((c) => c.name), ['local', 'main']);
  assert.deepEqual(channelChoices([{ name: 'local', kind: 'local' }, { name: 'main' }], 'gone').map((c) => c.name), ['local', 'main', 'gone']);
  assert.deepEqual(channelChoices([], '').map((c) => c.name), ['local']);
});

test('review: the page asks again while the stages before the upload are done but the state is not Review yet', () => {
  const stage = (key: string, status: 'pending' | 'running' | 'completed' | 'failed') => ({ stage: key, service: key, status });
  const done = STAGES.map((s) => stage(s.key, s.key === 'upload' || s.key === 'abtest' ? 'pending' : 'completed'));
  assert.equal(reviewComing({ state: 'Metadata', request: { review: true }, stages: done }), true);
  assert.equal(reviewComing({ state: 'Review', request: { review: true }, stages: done }), false, 'it is there');
  assert.equal(reviewComing({ state: 'Metadata', request: {}, stages: done }), false, 'started without review');
  assert.equal(reviewComing({ state: 'Failed', request: { review: true }, stages: done }), false);
  const running = done.map((s) => (s.stage === 'metadata' ? { ...s, status: 'running' as const } : s));
  assert.equal(reviewComing({ state: 'Metadata', request: { review: true }, stages: running }), false, 'the SSE events still come');
  const uploading = done.map((s) => (s.stage === 'upload' ? { ...s, status: 'running' as const } : s));
  assert.equal(reviewComing({ state: 'Upload', request: { review: true }, stages: uploading }), false, 'approved');
});
