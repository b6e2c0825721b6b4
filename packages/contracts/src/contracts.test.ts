import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EVENT_NAMES, PIPELINE_STATES, PipelineRequest, STAGES, scriptSegments, AbTestCreateInput } from './index.ts';

test('the event sequence is the seed\'s, in order', () => {
  assert.deepEqual(EVENT_NAMES, [
    'pipeline.started', 'pipeline.keywords.completed', 'pipeline.script.completed', 'pipeline.audio.completed',
    'pipeline.video.completed', 'pipeline.thumbnail.completed', 'pipeline.metadata.completed',
    'pipeline.upload.completed', 'pipeline.completed', 'pipeline.failed',
  ]);
});

test('the states follow the seed diagram', () => {
  assert.deepEqual(PIPELINE_STATES, ['Queued', 'Running', 'Keywords', 'Script', 'Audio', 'Video', 'Thumbnail', 'Metadata', 'Upload', 'ABTest', 'Completed', 'Failed', 'Retry', 'Review']);
  assert.deepEqual(STAGES.map((s) => s.port), [3002, 3003, 3004, 3005, 3006, 3007, 3008, 3009]);
});

test('a pipeline request gets defaults and rejects bad values with the field named', () => {
  const ok = PipelineRequest.parse({ topic: '  black holes ' });
  assert.equal(ok.topic, 'black holes');
  assert.equal(ok.lang, 'en');
  assert.equal(ok.durationSec, 60);
  assert.equal(ok.aspect, '9:16');
  for (const [bad, field] of [
    [{ topic: '' }, 'topic'],
    [{ topic: 'x'.repeat(500) }, 'topic'],
    [{ topic: 'x', durationSec: 0 }, 'durationSec'],
    [{ topic: 'x', durationSec: 3 * 3600 }, 'durationSec'],
    [{ topic: 'x', aspect: '4:3' }, 'aspect'],
    [{ topic: 'x', lang: 'xx' }, 'lang'],
    [{ topic: 'x', extra: 1 }, ''],
  ] as const) {
    const r = PipelineRequest.safeParse(bad);
    assert.equal(r.success, false, JSON.stringify(bad));
    assert.equal(r.error?.issues[0]?.path.join('.') ?? '', field);
  }
});

test('script segments are hook, sections, call to action', () => {
  const segs = scriptSegments({
    lang: 'en', titleIdea: 't', hook: 'h', callToAction: 'c', wordCount: 3, estimatedDurationSec: 1,
    sections: [{ heading: 'A', narration: 'a', visualKeywords: [] }],
  });
  assert.deepEqual(segs.map((s) => s.text), ['h', 'a', 'c']);
});

test('an experiment needs two variants', () => {
  const r = AbTestCreateInput.safeParse({ pipelineId: 'p', videoId: 'v', variants: [{ label: 'A' }] });
  assert.equal(r.success, false);
  assert.match(r.error?.issues[0]?.message ?? '', /two variants/);
});
