import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Aspect, CaptionStyle, WordTiming } from '@faceless/contracts';
import { buildSrt, buildWebVtt } from './caption-files.ts';
import { buildAssCaptions, captionCues } from './captions.ts';
import { outputSize } from './video-format.ts';

interface ParsedCue { start: number; end: number; lines: string[] }

/** Milliseconds from `HH:MM:SS,mmm` (SRT) or `HH:MM:SS.mmm` (WebVTT). */
function ms(stamp: string): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})[,.](\d{3})$/.exec(stamp);
  assert.ok(m, `"${stamp}" is a well-formed timestamp`);
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]);
}

/** Reads SRT or WebVTT cues strictly: numbered blocks (SRT) or a WEBVTT header, a timing line, text lines. */
function parseCues(text: string, format: 'srt' | 'vtt'): ParsedCue[] {
  assert.ok(text.endsWith('\n') && !text.includes('\r'), 'LF line ends, a final newline');
  const blocks = text.trimEnd().split('\n\n');
  if (format === 'vtt') assert.equal(blocks.shift(), 'WEBVTT');
  return blocks.map((block, i) => {
    const lines = block.split('\n');
    if (format === 'srt') assert.equal(lines.shift(), String(i + 1), 'cues are numbered from 1');
    const timing = /^(\S+) --> (\S+)$/.exec(lines.shift() ?? '');
    assert.ok(timing, `cue ${i + 1} has a timing line`);
    assert.ok(lines.length > 0 && lines.every((l) => l.trim() !== ''), `cue ${i + 1} has text`);
    const decoded = format === 'vtt' ? lines.map((l) => l.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) : lines;
    return { start: ms(timing[1] ?? ''), end: ms(timing[2] ?? ''), lines: decoded };
  });
}

const centis = (t: string): number => {
  const [h, m, s] = t.split(':');
  return Math.round((Number(h) * 3600 + Number(m) * 60 + Number(s)) * 100);
};
const visible = (raw: string): string => raw.replace(/(?<!\\)\{[^{}]*\}/g, '').replace(/\\([{}])/g, '$1').replace(/\\\u2060/g, '\\');

/** The captions a viewer sees in an ASS script: its word-by-word states joined back into one cue per caption. */
function burnedIn(ass: string): ParsedCue[] {
  const cues: ParsedCue[] = [];
  for (const line of ass.split('\n').filter((l) => l.startsWith('Dialogue:'))) {
    const fields = line.slice('Dialogue: '.length).split(',');
    const start = centis(fields[1] ?? '') * 10;
    const end = centis(fields[2] ?? '') * 10;
    const lines = fields.slice(9).join(',').split('\\N').map(visible);
    const last = cues[cues.length - 1];
    if (last && last.end === start && last.lines.join('\n') === lines.join('\n')) last.end = end;
    else cues.push({ start, end, lines });
  }
  return cues;
}

function timed(text: string, step = 0.31): WordTiming[] {
  let t = 0.2;
  return text.split(' ').map((w) => {
    const start = t;
    t += step + (/[.,!?]$/.test(w) ? 0.45 : 0);
    return { text: w, start, end: start + step * 0.8, segment: 0 };
  });
}

const NARRATION = 'So, today we look at why octopuses, of all animals, are so smart. They solve puzzles in the lab & escape from their tanks at night. A <tiny> octopus weighs 20 kg? No. Well-known facts: l’école, 10 000 ans.';
const FRAME_MS = 1000 / 30;

for (const [aspect, style] of [['9:16', 'highlight'], ['9:16', 'block'], ['9:16', 'single'], ['16:9', 'plain'], ['1:1', 'highlight']] as [Aspect, CaptionStyle][]) {
  test(`SRT and WebVTT cues are the burned-in ${style} captions (${aspect}): same lines, same times within a frame`, () => {
    const words = timed(NARRATION);
    const options = { aspect, size: outputSize(aspect), style, lang: 'en' as const, look: { size: 'large' as const, position: 'top' as const } };
    const shown = burnedIn(buildAssCaptions(words, options));
    const cues = captionCues(words, options);
    for (const [format, text] of [['srt', buildSrt(cues)], ['vtt', buildWebVtt(cues)]] as const) {
      const parsed = parseCues(text, format);
      assert.equal(parsed.length, shown.length, `${format}: one cue per caption on screen`);
      parsed.forEach((cue, i) => {
        const on = shown[i];
        assert.ok(on);
        const upper = style === 'single';
        assert.deepEqual(upper ? cue.lines.map((l) => l.toUpperCase()) : cue.lines, on.lines, `${format} cue ${i + 1}: the lines as on screen`);
        assert.ok(Math.abs(cue.start - on.start) < FRAME_MS && Math.abs(cue.end - on.end) < FRAME_MS, `${format} cue ${i + 1}: ${cue.start}-${cue.end} vs ${on.start}-${on.end}`);
      });
      assert.equal(parsed.flatMap((c) => c.lines).join(' '), words.map((w) => w.text).join(' '), `${format}: every word once, in order`);
    }
  });
}

test('with captionStyle none the files still carry the words, laid out as highlight', () => {
  const words = timed(NARRATION);
  const size = outputSize('9:16');
  const none = captionCues(words, { aspect: '9:16', size, style: 'none' });
  assert.deepEqual(none, captionCues(words, { aspect: '9:16', size, style: 'highlight' }));
  assert.ok(none.length > 5);
});

test('buildSrt and buildWebVtt write the formats exactly, escape WebVTT markup and skip empty cues', () => {
  const cues = [
    { startCs: 12, endCs: 250, lines: ['Hello & <welcome>', 'to the --> show'] },
    { startCs: 250, endCs: 250, lines: ['no time on screen'] },
    { startCs: 300, endCs: 400, lines: ['  ', ''] },
    { startCs: 366_123, endCs: 366_200, lines: ['late\nline'] },
  ];
  assert.equal(buildSrt(cues), [
    '1', '00:00:00,120 --> 00:00:02,500', 'Hello & <welcome>', 'to the → show', '',
    '2', '01:01:01,230 --> 01:01:02,000', 'late line', '',
  ].join('\n'));
  assert.equal(buildWebVtt(cues), [
    'WEBVTT', '',
    '00:00:00.120 --> 00:00:02.500', 'Hello &amp; &lt;welcome&gt;', 'to the --&gt; show', '',
    '01:01:01.230 --> 01:01:02.000', 'late line', '',
  ].join('\n'));
  assert.equal(buildSrt([]), '');
  assert.equal(buildWebVtt([]), 'WEBVTT\n');
});
