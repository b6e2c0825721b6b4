import assert from 'node:assert/strict';
import { test } from 'node:test';
import { posterFrame, renderChunks, segmentSpans, totalFrames } from './timeline.ts';
import { outputSize, posterSize } from './video-format.ts';

const segments = [
  { heading: 'Intro', start: 0.2, end: 2.9 },
  { heading: 'One', start: 3.3, end: 7.8 },
  { heading: 'Outro', start: 8.2, end: 9.6 },
];

test('totalFrames covers the whole narration', () => {
  assert.equal(totalFrames(10, 30), 300);
  assert.equal(totalFrames(10.001, 30), 301);
  assert.equal(totalFrames(9.99, 30), 300);
});

test('segmentSpans tiles the timeline, cutting just before each segment starts speaking', () => {
  const spans = segmentSpans(segments, 9.8, 30);
  assert.deepEqual(spans, [
    { segment: 0, startFrame: 0, endFrame: 96 },
    { segment: 1, startFrame: 96, endFrame: 243 },
    { segment: 2, startFrame: 243, endFrame: 294 },
  ]);
});

test('segmentSpans never cuts before the previous segment ends, nor past the audio', () => {
  const overlapping = [{ heading: 'a', start: 0, end: 5 }, { heading: 'b', start: 4, end: 8 }, { heading: 'c', start: 20, end: 25 }];
  const spans = segmentSpans(overlapping, 10, 30);
  assert.equal(spans[0]?.endFrame, 150);
  assert.deepEqual(spans[2], { segment: 2, startFrame: 300, endFrame: 300 }, 'a segment after the audio is empty');
  assert.equal(spans[1]?.endFrame, 300);
});

test('renderChunks splits long spans evenly and skips empty ones', () => {
  const spans = [
    { segment: 0, startFrame: 0, endFrame: 100 },
    { segment: 1, startFrame: 100, endFrame: 100 },
    { segment: 2, startFrame: 100, endFrame: 750 },
  ];
  const chunks = renderChunks(spans, 300);
  assert.deepEqual(chunks.map((c) => [c.index, c.segment, c.startFrame, c.endFrame, c.segmentOffsetFrames]), [
    [0, 0, 0, 100, 0],
    [1, 2, 100, 317, 0],
    [2, 2, 317, 533, 217],
    [3, 2, 533, 750, 433],
  ]);
});

test('posterFrame is the middle of the first section, or of the only segment', () => {
  assert.equal(posterFrame(segmentSpans(segments, 9.8, 30)), 169);
  assert.equal(posterFrame([{ segment: 0, startFrame: 0, endFrame: 90 }]), 45);
});

test('output and poster sizes follow the aspect', () => {
  assert.deepEqual(outputSize('9:16'), { width: 1080, height: 1920 });
  assert.deepEqual(outputSize('16:9'), { width: 1920, height: 1080 });
  assert.deepEqual(outputSize('1:1'), { width: 1080, height: 1080 });
  assert.deepEqual(outputSize('9:16', 0.25), { width: 270, height: 480 });
  assert.deepEqual(posterSize(outputSize('16:9')), { width: 1280, height: 720 });
  assert.deepEqual(posterSize(outputSize('9:16')), { width: 1080, height: 1920 });
});
