import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import type { WordTiming } from '@faceless/contracts';
import { runProcess } from '@faceless/runtime';
import {
  assTime, buildAssCaptions, CAPTION_FONT, captionEvents, captionLayout, escapeAssText, estimateTextWidthEm,
  fittedFontSize, groupWords,
} from './captions.ts';
import { montserratFontFiles } from './stage.ts';
import { outputSize } from './video-format.ts';

/** Words spoken back to back, `step` seconds apart, each lasting 80% of it. */
function timed(text: string, options: { start?: number; step?: number; segment?: number } = {}): WordTiming[] {
  const step = options.step ?? 0.3;
  return text.split(' ').map((w, i) => {
    const start = (options.start ?? 0) + i * step;
    return { text: w, start, end: start + step * 0.8, segment: options.segment ?? 0 };
  });
}

const texts = (groups: WordTiming[][]): string[] => groups.map((g) => g.map((w) => w.text).join(' '));
const SHORTS = { maxWords: 3, maxChars: 18 };

test('groupWords keeps lines within the word and character limits', () => {
  const groups = groupWords(timed('one two three four five six seven extraordinarily long words'), SHORTS);
  assert.deepEqual(texts(groups), ['one two three', 'four five six', 'seven', 'extraordinarily', 'long words']);
  for (const g of groups) {
    assert.ok(g.length <= 3);
    assert.ok(g.length === 1 || g.map((w) => w.text).join(' ').length <= 18);
  }
});

test('groupWords breaks after punctuation, at pauses and where a segment changes', () => {
  assert.deepEqual(texts(groupWords(timed('Yes. It works, mostly'), SHORTS)), ['Yes.', 'It works,', 'mostly']);
  const paused = [...timed('before the', { start: 0 }), ...timed('pause here', { start: 2 })];
  assert.deepEqual(texts(groupWords(paused, SHORTS)), ['before the', 'pause here']);
  const segments = [...timed('end of hook', { segment: 0 }).slice(0, 2), ...timed('next', { start: 0.6, segment: 1 })];
  assert.deepEqual(texts(groupWords(segments, SHORTS)), ['end of', 'next']);
});

test('groupWords never ends a line on a one-letter word', () => {
  assert.deepEqual(texts(groupWords(timed('it is a big day for us'), SHORTS)), ['it is', 'a big day', 'for us']);
  assert.deepEqual(texts(groupWords(timed('on va à la plage ce soir'), SHORTS)), ['on va', 'à la plage', 'ce soir']);
  // Punctuation ends the line anyway: "a." is not dangling.
  assert.deepEqual(texts(groupWords(timed('plan a. then b'), SHORTS)), ['plan a.', 'then b']);
});

test('captionEvents lights exactly one word at a time, back to back, from first start to last end', () => {
  const words = timed('one two three four five', { start: 1 });
  const groups = groupWords(words, SHORTS);
  const events = captionEvents(groups, { highlight: true });
  assert.equal(events.length, 5);
  events.forEach((e, i) => {
    assert.ok(e.endCs > e.startCs);
    if (i > 0) assert.equal(e.startCs, events[i - 1]?.endCs, 'no gap and no overlap between states');
  });
  assert.deepEqual(events.map((e) => e.highlight), [0, 1, 2, 0, 1]);
  assert.equal(events[0]?.startCs, 100);
  assert.equal(events[1]?.startCs, 130, 'a word lights up when it starts');
  // The first line is held until the second starts (a 0.06 s gap would flicker).
  assert.equal(events[2]?.endCs, 190);
  // The last line lingers a quarter of a second after its last word.
  assert.equal(events[4]?.endCs, Math.round((1 + 4 * 0.3 + 0.24 + 0.25) * 100));
});

test('captionEvents lets a line go after a long silence, and plain style has one event per line', () => {
  const words = [...timed('first line', { start: 0 }), ...timed('second', { start: 5 })];
  const groups = groupWords(words, SHORTS);
  const plain = captionEvents(groups, { highlight: false });
  assert.deepEqual(plain.map((e) => [e.startCs, e.endCs, e.highlight]), [[0, 79, -1], [500, 549, -1]]);
});

test('captionEvents survives overlapping and zero-length word timings', () => {
  const words: WordTiming[] = [
    { text: 'a1', start: 1, end: 1, segment: 0 },
    { text: 'b2', start: 0.99, end: 1.2, segment: 0 },
    { text: 'c3', start: 1.2, end: 1.1, segment: 0 },
  ];
  const events = captionEvents([words], { highlight: true });
  for (const e of events) assert.ok(e.endCs > e.startCs);
  for (let i = 1; i < events.length; i++) assert.ok((events[i]?.startCs ?? 0) >= (events[i - 1]?.endCs ?? 0));
});

test('escapeAssText keeps braces and backslashes literal', () => {
  assert.equal(escapeAssText('{bold}'), '\\{bold\\}');
  assert.equal(escapeAssText('a\\Nb'), 'a\\\u2060Nb');
  assert.equal(escapeAssText('two\nlines'), 'two lines');
  assert.equal(escapeAssText('Élève à l’école'), 'Élève à l’école');
});

test('assTime formats centiseconds as H:MM:SS.cc', () => {
  assert.equal(assTime(0), '0:00:00.00');
  assert.equal(assTime(6105), '0:01:01.05');
  assert.equal(assTime(360_000 + 59 * 6000 + 5999), '1:59:59.99');
});

test('captionLayout keeps Shorts captions in the safe area', () => {
  const size = outputSize('9:16');
  const l = captionLayout('9:16', size);
  assert.ok(l.marginH >= 120, 'clear of the right-side buttons');
  const bottom = size.height - l.marginV;
  assert.ok(bottom / size.height >= 0.6 && bottom / size.height <= 0.7, `text bottom at ${bottom}`);
  assert.ok(l.fontSize >= 80, 'big');
  const wide = captionLayout('16:9', outputSize('16:9'));
  assert.ok(wide.maxWords > l.maxWords && wide.maxChars > l.maxChars, 'longer lines on 16:9');
});

test('fittedFontSize shrinks only lines that would not fit', () => {
  const size = outputSize('9:16');
  const l = captionLayout('9:16', size);
  assert.equal(fittedFontSize(['short', 'line'], l, size.width), l.fontSize);
  const long = ['Anticonstitutionnellement'];
  const fitted = fittedFontSize(long, l, size.width);
  assert.ok(fitted < l.fontSize);
  assert.ok(estimateTextWidthEm(long[0] ?? '') * fitted * 1.12 <= size.width - 2 * l.marginH);
});

test('buildAssCaptions writes a sized script with one highlighted word per event', () => {
  const size = outputSize('9:16');
  const words = timed('Les élèves {rient} à côté de l’hôpital, voilà.', { start: 0.5 });
  const ass = buildAssCaptions(words, { aspect: '9:16', size });
  assert.match(ass, /^PlayResX: 1080$/m);
  assert.match(ass, /^PlayResY: 1920$/m);
  assert.match(ass, new RegExp(`^Style: Caption,${CAPTION_FONT},92,`, 'm'));
  const dialogues = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
  assert.equal(dialogues.length, words.length);
  for (const d of dialogues) {
    assert.equal(d.split('\\1c&H0AD6FF&').length - 1, 1, d);
    assert.match(d, /^Dialogue: 0,\d:\d\d:\d\d\.\d\d,\d:\d\d:\d\d\.\d\d,Caption,,0,0,0,,/);
  }
  assert.ok(ass.includes('\\{rient\\}'));
  assert.ok(ass.includes('élèves') && ass.includes('l’hôpital,'));
  const plain = buildAssCaptions(words, { aspect: '9:16', size, style: 'plain' });
  assert.ok(!plain.includes('0AD6FF'));
  assert.equal(buildAssCaptions(words, { aspect: '9:16', size, style: 'none' }).includes('Dialogue:'), false);
});

test('libass renders the captions in Montserrat ExtraBold, accents included, with no fallback font', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'va-font-'));
  try {
    const fonts = join(dir, 'fonts');
    await mkdir(fonts);
    for (const f of montserratFontFiles()) await copyFile(f, join(fonts, basename(f)));
    const size = outputSize('9:16', 0.25);
    const ass = buildAssCaptions(timed('Ça déménage, où êtes-vous ? Œuvre naïve', { start: 0 }), { aspect: '9:16', size });
    await writeFile(join(dir, 'c.ass'), ass, 'utf8');
    const { stderr } = await runProcess('ffmpeg', [
      '-hide_banner', '-nostdin', '-v', 'verbose', '-f', 'lavfi', '-i', `color=c=black:s=${size.width}x${size.height}:d=3:r=10`,
      '-vf', 'ass=c.ass:fontsdir=fonts', '-f', 'null', '-',
    ], { cwd: dir });
    const selections = stderr.split('\n').filter((l) => l.includes('fontselect:'));
    assert.ok(selections.length > 0, 'libass reported its font choice');
    for (const line of selections) assert.match(line, /\(Montserrat Thin ExtraBold, 700, 0\) -> MontserratThin-ExtraBold/);
    assert.doesNotMatch(stderr, /Glyph 0x[0-9A-F]+ not found/i);
    assert.doesNotMatch(stderr, /DejaVu/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
