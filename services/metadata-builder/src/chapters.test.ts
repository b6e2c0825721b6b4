import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChapters, chapterLines, formatTimestamp } from './chapters.ts';

const seg = (heading: string, start: number, end: number) => ({ heading, start, end });

test('timestamps are m:ss under an hour and h:mm:ss from an hour on', () => {
  assert.deepEqual(
    [0, 9.99, 59.9, 61, 600, 3599, 3600, 3723].map(formatTimestamp),
    ['0:00', '0:09', '0:59', '1:01', '10:00', '59:59', '1:00:00', '1:02:03'],
  );
  assert.deepEqual(chapterLines([{ start: 0, title: 'A' }, { start: 3725, title: 'B' }]), ['0:00 A', '1:02:05 B']);
});

test('three sections of exactly 10 s make three chapters', () => {
  const chapters = buildChapters([seg('A', 0, 10), seg('B', 10, 20), seg('C', 20, 30)], { durationSec: 30 });
  assert.deepEqual(chapters, [{ start: 0, title: 'A' }, { start: 10, title: 'B' }, { start: 20, title: 'C' }]);
});

test('a 9.9 s section joins the one before it; 10 s stands alone', () => {
  const short = buildChapters([seg('A', 0, 10), seg('B', 10, 19.9), seg('C', 19.9, 30), seg('D', 30, 40)], { durationSec: 40 });
  assert.deepEqual(short, [{ start: 0, title: 'A' }, { start: 19, title: 'C' }, { start: 30, title: 'D' }]);
  const exact = buildChapters([seg('A', 0, 10), seg('B', 10, 20), seg('C', 20, 30), seg('D', 30, 40)], { durationSec: 40 });
  assert.equal(exact.length, 4);
});

test('two chapters are not enough: none at all', () => {
  assert.deepEqual(buildChapters([seg('A', 0, 30), seg('B', 30, 60)], { durationSec: 60 }), []);
  assert.deepEqual(buildChapters([seg('A', 0, 10), seg('B', 10, 19.9), seg('C', 19.9, 30)], { durationSec: 30 }), []);
  assert.deepEqual(buildChapters([seg('Only', 0, 60)], { durationSec: 60 }), []);
});

test('the last chapter runs to the end of the video and must last 10 s too', () => {
  const segs = [seg('A', 0, 10), seg('B', 10, 20), seg('C', 20, 29.5)];
  assert.deepEqual(buildChapters(segs, { durationSec: 29.5 }), []);
  assert.equal(buildChapters(segs, { durationSec: 30 }).length, 3);
});

test('a short hook joins the first section and takes its title; a short outro joins the last', () => {
  const chapters = buildChapters(
    [seg('Intro', 0, 4), seg('Sun', 4, 20), seg('Moon', 20, 35), seg('Stars', 35, 52), seg('Outro', 52, 57)],
    { durationSec: 57.3 },
  );
  assert.deepEqual(chapters, [{ start: 0, title: 'Sun' }, { start: 20, title: 'Moon' }, { start: 35, title: 'Stars' }]);
});

test('a long intro keeps its (renamed) title and the first chapter is always at 0:00', () => {
  const chapters = buildChapters(
    [seg('Intro', 0.4, 12), seg('Sun', 12, 30), seg('Moon', 30, 45)],
    { durationSec: 45, rename: (h) => (h === 'Intro' ? 'Introduction' : h) },
  );
  assert.deepEqual(chapters.map((c) => c.start), [0, 12, 30]);
  assert.equal(chapters[0]?.title, 'Introduction');
});

test('chapter titles are cleaned: one line, no angle brackets', () => {
  const chapters = buildChapters([seg('A <b>', 0, 10), seg('B\nsecond line', 10, 20), seg('C', 20, 30)], { durationSec: 30 });
  assert.deepEqual(chapters.map((c) => c.title), ['A ‹b›', 'B second line', 'C']);
});

test('segments past the end of the video are ignored', () => {
  const chapters = buildChapters([seg('A', 0, 10), seg('B', 10, 20), seg('C', 20, 30), seg('D', 31, 50)], { durationSec: 30 });
  assert.deepEqual(chapters.map((c) => c.title), ['A', 'B', 'C']);
});
