import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import type { Aspect, CaptionStyle, WordTiming } from '@faceless/contracts';
import { runProcess } from '@faceless/runtime';
import { bareWord, LEADING_WORDS } from './caption-phrasing.ts';
import {
  assColour, assTime, buildAssCaptions, CAPTION_FONT, CAPTION_STYLES, captionEvents, captionLayout, captionSafeArea, chunkWords,
  escapeAssText, estimateTextWidthEm, fittedFontSize, groupWords,
} from './captions.ts';
import type { CaptionLook, SafeArea } from './captions.ts';
import { measureFontWidthScale, resolveCaptionFont } from './caption-font.ts';
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

const ASPECTS: Aspect[] = ['9:16', '1:1', '16:9'];
const VISIBLE: Exclude<CaptionStyle, 'none'>[] = ['highlight', 'block', 'single', 'plain'];

interface ParsedEvent { start: number; end: number; raw: string; lines: string[]; spoken: string | undefined }
interface ParsedAss {
  width: number;
  height: number;
  style: { font: string; fontSize: number; outline: number; shadow: number; alignment: number; marginL: number; marginR: number; marginV: number };
  events: ParsedEvent[];
}

const centis = (t: string): number => {
  const [h, m, s] = t.split(':');
  return Math.round((Number(h) * 3600 + Number(m) * 60 + Number(s)) * 100);
};
const unescape = (text: string): string => text.replace(/\\([{}])/g, '$1').replace(/\\\u2060/g, '\\');
const visibleText = (raw: string): string => unescape(raw.replace(/(?<!\\)\{[^{}]*\}/g, ''));

/** Reads a script back: header values, the caption style, and each Dialogue's times, lines and coloured word. */
function parseAss(ass: string): ParsedAss {
  const value = (key: string): number => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(ass)?.[1]);
  const styleLine = /^Style: (.*)$/m.exec(ass)?.[1]?.split(',') ?? [];
  const n = (i: number): number => Number(styleLine[i]);
  const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:')).map((line) => {
    const fields = line.slice('Dialogue: '.length).split(',');
    const raw = fields.slice(9).join(',');
    const coloured = /\{\\1c&H(?!FFFFFF)[0-9A-F]{6}&[^}]*\}(.*?)\{\\1c&HFFFFFF&/.exec(raw)?.[1];
    return {
      start: centis(fields[1] ?? ''),
      end: centis(fields[2] ?? ''),
      raw,
      lines: raw.split('\\N').map(visibleText),
      spoken: coloured === undefined ? undefined : unescape(coloured),
    };
  });
  return {
    width: value('PlayResX'),
    height: value('PlayResY'),
    style: { font: styleLine[1] ?? '', fontSize: n(2), outline: n(16), shadow: n(17), alignment: n(18), marginL: n(19), marginR: n(20), marginV: n(21) },
    events,
  };
}

/** The word a viewer sees as spoken in an event: the coloured one, or the lone word of `single`. */
function spokenWord(e: ParsedEvent): string | undefined {
  if (e.spoken !== undefined) return e.spoken;
  const words = e.lines.join(' ').split(' ');
  return words.length === 1 ? words[0] : undefined;
}

const NARRATION = 'So, today we look at why octopuses, of all animals, are so smart. They solve puzzles in the lab and escape from their tanks at night.';

test('captionSafeArea keeps Shorts captions clear of the top, the bottom 20% and the right-side buttons', () => {
  const size = outputSize('9:16');
  const safe = captionSafeArea('9:16', size);
  assert.ok(safe.top >= 0.1 * size.height, `top ${safe.top}`);
  assert.ok(safe.bottom <= 0.8 * size.height, `bottom ${safe.bottom}`);
  assert.ok(safe.right <= 0.85 * size.width, `right ${safe.right}`);
  assert.ok(safe.left > 0 && safe.right - safe.left >= 0.7 * size.width, 'still most of the width');
  for (const aspect of ['16:9', '1:1'] as const) {
    const s = outputSize(aspect);
    const a = captionSafeArea(aspect, s);
    assert.equal(a.left, s.width - a.right, `${aspect} is centred`);
    assert.ok(a.bottom <= 0.92 * s.height && a.bottom >= 0.85 * s.height, `${aspect}: a lower third`);
  }
  const half = captionSafeArea('9:16', outputSize('9:16', 0.5));
  assert.ok(Math.abs(half.right * 2 - safe.right) <= 2 && Math.abs(half.bottom * 2 - safe.bottom) <= 2, 'scales with the frame');
});

test('buildAssCaptions takes PlayRes, font, alignment and margins from the safe area', () => {
  for (const aspect of ASPECTS) {
    const size = outputSize(aspect);
    const safe = captionSafeArea(aspect, size);
    for (const style of VISIBLE) {
      const ass = parseAss(buildAssCaptions(timed(NARRATION), { aspect, size, style }));
      assert.equal(ass.width, size.width);
      assert.equal(ass.height, size.height);
      assert.equal(ass.style.font, CAPTION_FONT);
      assert.equal(ass.style.marginL, safe.left);
      assert.equal(ass.style.marginR, size.width - safe.right);
      assert.equal(ass.style.alignment, style === 'single' ? 5 : 2);
      if (style !== 'single') assert.ok(size.height - ass.style.marginV <= safe.bottom, `${aspect} ${style}: bottom inside`);
      assert.ok(ass.style.outline >= ass.style.fontSize * 0.08, 'a thick outline');
    }
  }
});

/** Sentences where a careless breaker ends lines on "the", "of", "de", "la"… (all can be broken well). */
const TRICKY: Record<'en' | 'fr', string[]> = {
  en: [
    'The cat sat on the mat in the middle of the night and waited for the rain to stop.',
    'A lot of people think that the moon is made of cheese, but it is made of rock and dust.',
    'If you want to understand the brain of an octopus, look at the arms and not the head.',
    'Scientists from the University of Oxford found that bees can count to four with ease.',
    'It weighs 20 kg and runs at 45 km/h for up to 3 hours in a row without any rest.',
  ],
  fr: [
    'Les élèves de la classe sont allés à la plage avec leurs parents pour voir le coucher du soleil.',
    'Il y a 10 000 ans, l’homme a commencé à cultiver des céréales dans le Croissant fertile.',
    'Le cerveau de la pieuvre est réparti dans ses huit bras et dans sa tête en forme de sac.',
    'Selon une étude de l’université de Montréal, les abeilles savent compter jusqu’à quatre.',
    'Elle pèse 20 kg et court à 45 km/h pendant 3 heures sans la moindre pause.',
  ],
};

test('no caption line ends on an article, a preposition or a conjunction (English and French)', () => {
  for (const [lang, sentences] of Object.entries(TRICKY) as ['en' | 'fr', string[]][]) {
    for (const aspect of ASPECTS) {
      for (const style of ['highlight', 'block', 'plain'] as const) {
        for (const sentence of sentences) {
          const ass = parseAss(buildAssCaptions(timed(sentence), { aspect, size: outputSize(aspect), style }));
          const shown = new Set(ass.events.flatMap((e) => e.lines));
          for (const line of shown) {
            const last = line.split(' ').pop() ?? '';
            assert.ok(!LEADING_WORDS[lang].has(bareWord(last)), `${aspect} ${style}: "${line}" ends on "${last}" in "${sentence}"`);
          }
          assert.ok(shown.size > 1, 'the sentence is split into several lines');
        }
      }
    }
  }
});

test('numbers stay with their units and hyphenated words stay whole, in every style', () => {
  const words = timed('It costs $ 5 and weighs 20 kg, about 10 000 times a well- known ant.');
  for (const style of VISIBLE) {
    const ass = parseAss(buildAssCaptions(words, { aspect: '9:16', size: outputSize('9:16'), style }));
    const lines = ass.events.flatMap((e) => e.lines.map((l) => l.toLowerCase()));
    for (const unit of ['$ 5', '20 kg,', '10 000 times', 'well- known']) {
      assert.ok(lines.some((l) => l.includes(unit)), `${style}: "${unit}" kept together in ${JSON.stringify(lines)}`);
    }
  }
});

test('captions break at punctuation and pauses, not at a pause after "the"', () => {
  const size = outputSize('16:9');
  const layout = captionLayout('16:9', size, 'highlight');
  const text = (chunks: WordTiming[][][]): string[] => chunks.map((c) => c.map((l) => l.map((w) => w.text).join(' ')).join(' / '));
  assert.deepEqual(text(chunkWords(timed('Yes. It works, mostly'), layout)), ['Yes.', 'It works,', 'mostly']);
  const paused = [...timed('before the big', { start: 0 }), ...timed('pause here', { start: 1.2 })];
  assert.deepEqual(text(chunkWords(paused, layout, 'en')), ['before the big', 'pause here']);
  const afterFor = [...timed('wait for', { start: 0 }), ...timed('it now', { start: 0.8 })];
  assert.deepEqual(text(chunkWords(afterFor, layout, 'en')), ['wait for it now'], 'a 0.56 s gap after "for" is no phrase break');
  const afterThe = [...timed('look at the', { start: 0 }), ...timed('sea', { start: 2 })];
  assert.deepEqual(text(chunkWords(afterThe, layout, 'en')), ['look at the', 'sea'], 'past 0.8 s, even "the" ends a caption');
  const segments = [...timed('end of hook', { segment: 0 }), ...timed('next part', { start: 0.9, segment: 1 })];
  assert.deepEqual(text(chunkWords(segments, layout)), ['end of hook', 'next part']);
  const french = chunkWords(timed('Où êtes-vous ? « Ici », dit-il : à l’ hôpital !'), layout, 'fr');
  assert.deepEqual(text(french), ['Où êtes-vous ?', '« Ici »,', 'dit-il :', 'à l’ hôpital !'], 'French spaced marks stay with their words');
  // Spanish has no stop list: punctuation and pauses only.
  assert.deepEqual(text(chunkWords(timed('Hola, amigos'), layout, 'es')), ['Hola,', 'amigos']);
  assert.deepEqual(groupWords(timed('one two three four'), { maxWords: 2, maxChars: 18 }).map((g) => g.length), [2, 2]);
});

test('every word is lit exactly while it is spoken, with no flicker between captions', () => {
  // Uneven timings: a short gap (held), a long pause (the caption goes), an overlap.
  const words: WordTiming[] = [
    ...timed('Tonight we explore', { start: 0.5, step: 0.32 }),
    ...timed('the deep, dark ocean.', { start: 1.5, step: 0.27 }),
    ...timed('Nothing lives there?', { start: 4, step: 0.4 }),
    { text: 'Wrong!', start: 5.15, end: 5.6, segment: 0 },
  ];
  for (const style of VISIBLE) {
    const ass = parseAss(buildAssCaptions(words, { aspect: '9:16', size: outputSize('9:16'), style }));
    const at = (cs: number): ParsedEvent | undefined => ass.events.find((e) => e.start <= cs && cs < e.end);
    ass.events.forEach((e, i) => {
      assert.ok(e.end > e.start, `${style}: event ${i} has a duration`);
      const next = ass.events[i + 1];
      if (!next) return;
      assert.ok(next.start >= e.end, `${style}: events do not overlap`);
      // The only gaps allowed are real silences of 0.3 s or more (after "ocean." and "there?").
      if (next.start > e.end) assert.ok(next.start - e.end >= 30, `${style}: a ${next.start - e.end} cs blink at ${e.end}`);
    });
    for (const w of words) {
      const from = Math.round(w.start * 100);
      const to = Math.round(w.end * 100);
      for (const cs of [from, Math.round((from + to) / 2), to - 1]) {
        const e = at(cs);
        assert.ok(e, `${style}: "${w.text}" is on screen at ${cs} cs`);
        if (style === 'plain') {
          assert.ok(e.lines.join(' ').split(' ').includes(w.text), `plain: "${w.text}" shown at ${cs}`);
          assert.equal(e.spoken, undefined);
        } else {
          const expected = style === 'single' ? w.text.toUpperCase() : w.text;
          assert.equal(spokenWord(e), expected, `${style}: the word lit at ${cs} cs`);
        }
      }
    }
    // After "ocean." (2.53 s) the caption lingers a quarter second, then goes until the next word at 4 s.
    assert.ok(at(270), `${style}: the caption lingers after its last word`);
    assert.equal(at(300), undefined, `${style}: the caption goes during a long pause`);
  }
});

test('captionEvents covers small gaps between words and separates long ones', () => {
  const chunk: WordTiming[][] = [[
    { text: 'a1', start: 1, end: 1.2, segment: 0 },
    { text: 'b2', start: 1.3, end: 1.5, segment: 0 },
    { text: 'c3', start: 2, end: 2.2, segment: 0 },
  ]];
  const events = captionEvents([chunk], { highlight: true });
  assert.deepEqual(events.map((e) => [e.startCs, e.endCs, e.highlight]), [[100, 130, 0], [130, 150, 1], [150, 200, -1], [200, 245, 2]]);
  assert.deepEqual(events.map((e) => e.first), [true, false, false, false]);
  const overlapping: WordTiming[][] = [[
    { text: 'x', start: 1, end: 1, segment: 0 },
    { text: 'y', start: 0.99, end: 1.2, segment: 0 },
  ]];
  for (const e of captionEvents([overlapping], { highlight: true })) assert.ok(e.endCs > e.startCs);
});

/** The box an event covers by the same width estimate the builder uses (libass renders are checked below). */
function estimatedBox(ass: ParsedAss, e: ParsedEvent, peakScale: number): SafeArea {
  const fs = Number(/\\fs(\d+)/.exec(e.raw)?.[1] ?? ass.style.fontSize);
  const chrome = 2 * ass.style.outline + ass.style.shadow;
  const width = Math.max(...e.lines.map((line) => {
    const widest = Math.max(...line.split(' ').map(estimateTextWidthEm));
    return (estimateTextWidthEm(line) + (widest * (peakScale - 100)) / 100) * fs + chrome;
  }));
  const height = e.lines.length * fs * (peakScale / 100) + chrome;
  const pos = /\\pos\((\d+),(\d+)\)/.exec(e.raw);
  if (pos) {
    const [x, y] = [Number(pos[1]), Number(pos[2])];
    return { left: x - width / 2, right: x + width / 2, top: y - height / 2, bottom: y + height / 2 };
  }
  const centre = (ass.style.marginL + ass.width - ass.style.marginR) / 2;
  const bottom = ass.height - ass.style.marginV;
  return { left: centre - width / 2, right: centre + width / 2, top: bottom - height, bottom };
}

test('no event reaches outside the safe area, long words included', () => {
  const words = timed(`${NARRATION} Anticonstitutionnellement, WOW MAXIMUM momentum! Supercalifragilisticexpialidocious.`);
  for (const aspect of ASPECTS) {
    const size = outputSize(aspect);
    const safe = captionSafeArea(aspect, size);
    for (const style of VISIBLE) {
      const ass = parseAss(buildAssCaptions(words, { aspect, size, style }));
      const peak = style === 'highlight' ? 112 : style === 'single' ? 110 : 100;
      for (const e of ass.events) {
        const box = estimatedBox(ass, e, peak);
        const where = `${aspect} ${style} "${e.lines.join(' / ')}" ${JSON.stringify(box)}`;
        assert.ok(box.left >= safe.left && box.right <= safe.right, `${where} fits the safe width`);
        assert.ok(box.top >= safe.top && box.bottom <= safe.bottom, `${where} fits the safe height`);
      }
      if (aspect === '9:16') assert.ok(ass.events.some((e) => /\\fs\d+/.test(e.raw)), `${aspect} ${style}: the longest word is shrunk`);
    }
  }
});

test('fittedFontSize shrinks only lines that would not fit', () => {
  const size = outputSize('9:16');
  const layout = captionLayout('9:16', size, 'highlight');
  assert.equal(fittedFontSize([['short', 'line']], layout), layout.fontSize);
  const fitted = fittedFontSize([['Anticonstitutionnellement']], layout);
  assert.ok(fitted < layout.fontSize);
  assert.ok(estimateTextWidthEm('Anticonstitutionnellement') * fitted * 1.12 <= layout.safe.right - layout.safe.left);
});

test('each style writes a different script: lit and scaled word, two-line block, popping single words, plain', () => {
  const size = outputSize('9:16');
  const scripts = Object.fromEntries(CAPTION_STYLES.map((style) => [style, buildAssCaptions(timed(NARRATION), { aspect: '9:16', size, style })]));
  const bodies = Object.values(scripts).map((s) => s.split('[Events]')[1]);
  assert.equal(new Set(bodies).size, CAPTION_STYLES.length, 'no two styles have the same events');
  const parsed = Object.fromEntries(VISIBLE.map((s) => [s, parseAss(scripts[s] ?? '')]));
  const all = (style: string): ParsedEvent[] => parsed[style]?.events ?? [];
  assert.ok(all('highlight').every((e) => e.lines.length === 1 && e.raw.includes('\\fscx112')), 'highlight: one line, the word scaled');
  assert.ok(all('highlight').every((e) => e.spoken !== undefined || e.raw.indexOf('\\1c') < 0));
  assert.ok(all('block').some((e) => e.lines.length === 2), 'block: two lines');
  assert.ok(all('block').every((e) => e.lines.length <= 2 && !e.raw.includes('\\fscx112')));
  assert.ok(all('single').every((e) => e.lines.length === 1 && e.lines[0] === e.lines[0]?.toUpperCase()), 'single: one upper-case word');
  assert.ok(all('single').some((e) => e.raw.includes('\\t(0,80,')), 'single: a pop');
  assert.ok((parsed.single?.style.fontSize ?? 0) > (parsed.highlight?.style.fontSize ?? 0) * 1.4, 'single: large');
  assert.ok(all('plain').every((e) => !e.raw.includes('\\1c')), 'plain: no highlight');
  assert.equal(all('plain').length < all('block').length, true, 'plain: one event per caption');
  assert.equal(scripts.none?.includes('Dialogue:'), false, 'none: no events');
});

test('escapeAssText keeps braces and backslashes literal; accents survive', () => {
  assert.equal(escapeAssText('{bold}'), '\\{bold\\}');
  assert.equal(escapeAssText('a\\Nb'), 'a\\\u2060Nb');
  assert.equal(escapeAssText('two\nlines'), 'two lines');
  assert.equal(escapeAssText('Élève à l’école'), 'Élève à l’école');
  const ass = buildAssCaptions(timed('Les élèves {rient} à côté de l’hôpital, voilà. Œuvre naïve\\N'), { aspect: '9:16', size: outputSize('9:16') });
  assert.ok(ass.includes('\\{rient\\}') && ass.includes('élèves') && ass.includes('l’hôpital,') && ass.includes('Œuvre'));
  assert.ok(!/naïve\\N/.test(ass), 'a backslash in the text never makes a line break');
  assert.ok(Buffer.from(ass, 'utf8').toString('utf8') === ass);
});

test('assTime formats centiseconds as H:MM:SS.cc', () => {
  assert.equal(assTime(0), '0:00:00.00');
  assert.equal(assTime(6105), '0:01:01.05');
  assert.equal(assTime(360_000 + 59 * 6000 + 5999), '1:59:59.99');
});

/** Renders a script over a mid-grey frame with libass and returns the frames as RGB. */
async function renderCaptions(ass: string, size: { width: number; height: number }, seconds: number, fps: number, fontFiles = montserratFontFiles()): Promise<{ frames: Buffer[]; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'va-captions-'));
  try {
    const fonts = join(dir, 'fonts');
    await mkdir(fonts);
    for (const f of fontFiles) await copyFile(f, join(fonts, basename(f)));
    await writeFile(join(dir, 'c.ass'), ass, 'utf8');
    const { stderr } = await runProcess('timeout', [
      '60', 'ffmpeg', '-hide_banner', '-nostdin', '-v', 'verbose',
      '-f', 'lavfi', '-i', `color=c=0x808080:s=${size.width}x${size.height}:d=${seconds}:r=${fps}`,
      '-vf', 'ass=c.ass:fontsdir=fonts', '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'out.rgb',
    ], { cwd: dir, signal: AbortSignal.timeout(90_000) });
    const raw = await readFile(join(dir, 'out.rgb'));
    const frameBytes = size.width * size.height * 3;
    assert.equal(raw.length, frameBytes * seconds * fps, 'every frame was rendered');
    const frames = Array.from({ length: raw.length / frameBytes }, (_, i) => raw.subarray(i * frameBytes, (i + 1) * frameBytes));
    return { frames, stderr };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The box of pixels that differ from the grey background (fill, outline and shadow), and how many are saturated (the accent). */
function inkBox(frame: Buffer, width: number): { box: SafeArea | undefined; accent: number } {
  let box: SafeArea | undefined;
  let accent = 0;
  for (let p = 0; p < frame.length; p += 3) {
    const r = frame[p] ?? 0;
    const g = frame[p + 1] ?? 0;
    const b = frame[p + 2] ?? 0;
    if (Math.max(Math.abs(r - 128), Math.abs(g - 128), Math.abs(b - 128)) <= 24) continue;
    if (Math.max(r, g, b) - Math.min(r, g, b) > 100) accent++;
    const x = (p / 3) % width;
    const y = Math.floor(p / 3 / width);
    box = box
      ? { left: Math.min(box.left, x), right: Math.max(box.right, x), top: Math.min(box.top, y), bottom: Math.max(box.bottom, y) }
      : { left: x, right: x, top: y, bottom: y };
  }
  return { box, accent };
}

/**
 * Wide words (W, M, accents, Œ, one too long for any line) spoken fast: 2 s of the widest captions
 * each style can make. Frames fall every 0.2 s, 80 ms into a word: the peak of the `single` pop.
 */
const RENDER_WORDS = timed('Whoa! Maximum momentum, anticonstitutionnellement ÉLÉPHANTS, Œuvre naïve, ça déménage where whales swim', { start: 0.12, step: 0.2 });

for (const style of CAPTION_STYLES) {
  test(`libass draws ${style} captions inside the Shorts safe area`, async (t) => {
    const size = outputSize('9:16', 0.5);
    const safe = captionSafeArea('9:16', size);
    const { frames, stderr } = await renderCaptions(buildAssCaptions(RENDER_WORDS, { aspect: '9:16', size, style }), size, 2, 5);
    const boxes = frames.map((f) => inkBox(f, size.width));
    if (style === 'none') {
      assert.ok(boxes.every((b) => b.box === undefined), 'no captions drawn');
      return;
    }
    assert.match(stderr, /fontselect: \(Montserrat Thin ExtraBold, 700, 0\) -> MontserratThin-ExtraBold/);
    assert.doesNotMatch(stderr, /Glyph 0x[0-9A-F]+ not found/i);
    let union: SafeArea | undefined;
    assert.equal(boxes[0]?.box, undefined, `${style}: nothing before the first word`);
    boxes.slice(1).forEach(({ box }, i) => {
      assert.ok(box, `${style}: frame ${i + 1} (${(i + 1) / 5} s) shows a caption`);
      assert.ok(box.right - box.left > size.width * 0.1 && box.bottom - box.top > size.height * 0.015, `${style}: frame ${i + 1} box ${JSON.stringify(box)} has text in it`);
      assert.ok(box.left >= safe.left && box.right <= safe.right && box.top >= safe.top && box.bottom <= safe.bottom,
        `${style}: frame ${i + 1} box ${JSON.stringify(box)} inside ${JSON.stringify(safe)}`);
      union = union ? {
        left: Math.min(union.left, box.left), right: Math.max(union.right, box.right),
        top: Math.min(union.top, box.top), bottom: Math.max(union.bottom, box.bottom),
      } : box;
    });
    const accentFrames = boxes.filter((b) => b.accent > 20).length;
    if (style === 'highlight' || style === 'block') assert.equal(accentFrames, frames.length - 1, `${style}: a coloured word in every frame`);
    else assert.equal(accentFrames, 0, `${style}: white text only`);
    t.diagnostic(`${style}: ink box over 2 s ${JSON.stringify(union)} in safe area ${JSON.stringify(safe)} of ${size.width}x${size.height}`);
  });
}

test('caption options: position picks the alignment and anchor inside the safe area, size scales, colours go in as BGR', () => {
  const size = outputSize('9:16');
  const safe = captionSafeArea('9:16', size);
  const base = captionLayout('9:16', size, 'highlight');
  assert.equal(base.position, 'bottom');
  assert.equal(captionLayout('9:16', size, 'single').position, 'middle', 'single stays centred unless asked');
  const top = captionLayout('9:16', size, 'highlight', { position: 'top' });
  assert.equal(top.alignment, 8);
  assert.ok(top.anchorY - top.outline >= safe.top && top.anchorY < safe.top + 0.05 * size.height, `top anchor ${top.anchorY}`);
  const middle = captionLayout('9:16', size, 'block', { position: 'middle' });
  assert.equal(middle.alignment, 5);
  assert.equal(middle.anchorY, Math.round((safe.top + safe.bottom) / 2));
  assert.equal(captionLayout('9:16', size, 'single', { position: 'bottom' }).alignment, 2);
  for (const [option, scale] of [['small', 0.8], ['large', 1.25], [0.5, 0.5], [2, 2]] as const) {
    const fontSize = captionLayout('9:16', size, 'highlight', { size: option }).fontSize;
    assert.ok(Math.abs(fontSize - base.fontSize * scale) <= 1, `size ${option}: ${fontSize} px against ${base.fontSize} px`);
  }
  assert.equal(assColour('#12a0Fe'), '&HFEA012&');

  const look: CaptionLook = { position: 'top', color: '#00FF00', highlightColor: '#FF00FF', outlineColor: '#0000FF', fontName: 'DejaVu Sans', bold: false };
  const ass = buildAssCaptions(timed(NARRATION), { aspect: '9:16', size, style: 'highlight', look });
  const parsed = parseAss(ass);
  assert.equal(parsed.style.font, 'DejaVu Sans');
  assert.equal(parsed.style.alignment, 8);
  assert.equal(parsed.style.marginV, top.anchorY, 'top-aligned captions start at the top of the safe area');
  assert.match(ass, /^Style: Caption,DejaVu Sans,\d+,&H0000FF00,&H0000FF00,&H00FF0000,&H80000000,0,/m);
  assert.ok(parsed.events.every((e) => /\{\\1c&HFF00FF&[^}]*\}.*\{\\1c&H00FF00&/.test(e.raw) || !e.raw.includes('\\1c')), 'the spoken word in magenta, back to green after it');
  // Every word shown, in any option combination, stays inside the safe area's width.
  for (const sizeOption of ['small', 'large', 2] as const) {
    const wide = parseAss(buildAssCaptions(timed(NARRATION), { aspect: '9:16', size, style: 'block', look: { size: sizeOption, position: 'middle' } }));
    for (const e of wide.events) {
      const fs = Number(/\\fs(\d+)/.exec(e.raw)?.[1] ?? wide.style.fontSize);
      for (const line of e.lines) assert.ok(estimateTextWidthEm(line) * fs <= safe.right - safe.left, `${sizeOption}: "${line}" fits`);
    }
  }
});

/** How many pixels of a frame are near a colour, in the top, middle and bottom thirds of the safe area. */
function colourBands(frame: Buffer, width: number, safe: SafeArea, rgb: [number, number, number]): { top: number; middle: number; bottom: number; outside: number } {
  const counts = { top: 0, middle: 0, bottom: 0, outside: 0 };
  const third = (safe.bottom - safe.top) / 3;
  for (let p = 0; p < frame.length; p += 3) {
    if (Math.abs((frame[p] ?? 0) - rgb[0]) + Math.abs((frame[p + 1] ?? 0) - rgb[1]) + Math.abs((frame[p + 2] ?? 0) - rgb[2]) > 60) continue;
    const y = Math.floor(p / 3 / width);
    if (y < safe.top || y > safe.bottom) counts.outside++;
    else if (y < safe.top + third) counts.top++;
    else if (y < safe.top + 2 * third) counts.middle++;
    else counts.bottom++;
  }
  return counts;
}

test('libass draws captions where asked, in the colours asked: top in green with a magenta word, bottom by default', async () => {
  const size = outputSize('9:16', 0.5);
  const safe = captionSafeArea('9:16', size);
  const words = timed('Octopuses taste with their arms and see with their skin', { start: 0.1, step: 0.25 });
  const look: CaptionLook = { position: 'top', color: '#00FF00', highlightColor: '#FF00FF', outlineColor: '#0000FF', size: 'large' };
  const asked = await renderCaptions(buildAssCaptions(words, { aspect: '9:16', size, style: 'highlight', look }), size, 1, 5);
  const plain = await renderCaptions(buildAssCaptions(words, { aspect: '9:16', size, style: 'highlight' }), size, 1, 5);
  for (const [i, frame] of asked.frames.entries()) {
    if (i === 0) continue;
    const green = colourBands(frame, size.width, safe, [0, 255, 0]);
    const magenta = colourBands(frame, size.width, safe, [255, 0, 255]);
    const blue = colourBands(frame, size.width, safe, [0, 0, 255]);
    assert.ok(green.top > 50 && green.middle + green.bottom + green.outside === 0, `frame ${i}: green text in the top third only ${JSON.stringify(green)}`);
    assert.ok(magenta.top > 20 && magenta.outside === 0, `frame ${i}: the spoken word in magenta ${JSON.stringify(magenta)}`);
    assert.ok(blue.top > 50 && blue.outside === 0, `frame ${i}: a blue outline ${JSON.stringify(blue)}`);
    const box = inkBox(frame, size.width).box;
    assert.ok(box && box.top >= safe.top && box.left >= safe.left && box.right <= safe.right, `frame ${i}: ${JSON.stringify(box)} inside ${JSON.stringify(safe)}`);
    const white = colourBands(plain.frames[i] ?? Buffer.alloc(0), size.width, safe, [255, 255, 255]);
    assert.ok(white.bottom > 50 && white.top === 0, `frame ${i}: the default is white at the bottom ${JSON.stringify(white)}`);
  }
});

test('a given TTF file is used by its face name through the fontsdir; an unknown family is refused with the fix', async () => {
  const file = '/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-BoldItalic.ttf';
  const font = await resolveCaptionFont(file);
  assert.deepEqual(font, { fontName: 'DejaVu Serif Condensed Bold Italic', bold: false, files: [file] });
  const size = outputSize('9:16', 0.5);
  const words = timed('Serif captions', { start: 0, step: 0.3 });
  const { stderr } = await renderCaptions(buildAssCaptions(words, { aspect: '9:16', size, look: { fontName: font.fontName, bold: font.bold } }), size, 1, 2, font.files);
  assert.match(stderr, /fontselect: \(DejaVu Serif Condensed Bold Italic, 400, 0\) -> DejaVuSerifCondensed-BoldItalic, 0,/);
  assert.deepEqual(await resolveCaptionFont('DejaVu Sans'), { fontName: 'DejaVu Sans', bold: true, files: [] });
  await assert.rejects(resolveCaptionFont('Comic Sans Nowhere'), (err: Error & { field?: string }) => /not an installed font: .*fc-list.*\.ttf/.test(err.message) && err.field === 'captions.font');
  await assert.rejects(resolveCaptionFont('/nowhere/font.ttf'), /captions\.font \/nowhere\/font\.ttf is not a file/);
  await assert.rejects(resolveCaptionFont(join(import.meta.dirname, 'captions.ts')), /not a TrueType or OpenType file/);
});

test('a wider font, measured against Montserrat, still stays inside the safe area: DejaVu Sans Bold, large, the widest words', async () => {
  const size = outputSize('9:16', 0.5);
  const safe = captionSafeArea('9:16', size);
  const font = await resolveCaptionFont('DejaVu Sans');
  const widthScale = await measureFontWidthScale(font, { defaultFontFiles: montserratFontFiles(), workDir: tmpdir() });
  assert.ok(widthScale > 1.15 && widthScale < 1.8, `DejaVu Sans Bold draws ${widthScale.toFixed(2)}× as wide as Montserrat ExtraBold`);
  const narrow = await measureFontWidthScale(await resolveCaptionFont('/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf'), { defaultFontFiles: montserratFontFiles(), workDir: tmpdir() });
  assert.ok(narrow < widthScale, `the condensed face measures narrower (${narrow.toFixed(2)})`);
  for (const style of ['highlight', 'block'] as const) {
    const look: CaptionLook = { fontName: font.fontName, bold: font.bold, widthScale, size: 'large', position: 'top' };
    const { frames, stderr } = await renderCaptions(buildAssCaptions(RENDER_WORDS, { aspect: '9:16', size, style, look }), size, 2, 5, []);
    assert.match(stderr, /fontselect: \(DejaVu Sans, 700, 0\) -> \S*DejaVuSans-Bold/);
    frames.slice(1).forEach((frame, i) => {
      const { box } = inkBox(frame, size.width);
      assert.ok(box && box.left >= safe.left && box.right <= safe.right && box.top >= safe.top && box.bottom <= safe.bottom,
        `${style}: frame ${i + 1} box ${JSON.stringify(box)} inside ${JSON.stringify(safe)}`);
    });
  }
});
