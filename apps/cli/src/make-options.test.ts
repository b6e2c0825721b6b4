import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDuration, parseMakeOptions, slugify, UsageError } from './make-options.ts';

async function expectUsage(argv: string[], option: string, pattern: RegExp, cwd?: string): Promise<void> {
  await assert.rejects(parseMakeOptions(argv, cwd), (err: unknown) => {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.equal(err.option, option);
    assert.match(err.message, pattern);
    return true;
  });
}

test('durations in the forms people type', () => {
  assert.equal(parseDuration('60'), 60);
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('2m'), 120);
  assert.equal(parseDuration('1:30'), 90);
  assert.ok(Number.isNaN(parseDuration('soon')));
});

test('slugs are safe folder names, accents folded', () => {
  assert.equal(slugify('Pourquoi les éléphants ont peur ?'), 'pourquoi-les-elephants-ont-peur');
  assert.equal(slugify('!!!'), 'video');
});

test('defaults: en, 60 s, 9:16, out folder from the topic', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'faceless-opt-'));
  const o = await parseMakeOptions(['How octopuses think'], cwd);
  assert.equal(o.request.lang, 'en');
  assert.equal(o.request.durationSec, 60);
  assert.equal(o.request.aspect, '9:16');
  assert.equal(o.outDir, join(cwd, 'faceless-out', 'how-octopuses-think'));
});

test('each bad option gets one message naming it and what is allowed', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'faceless-opt-'));
  await expectUsage([''], '<topic>', /empty/, cwd);
  await expectUsage(['   '], '<topic>', /empty/, cwd);
  await expectUsage(['x'.repeat(500)], '<topic>', /500 characters; the limit is 200/, cwd);
  await expectUsage([], '<topic>', /missing/, cwd);
  await expectUsage(['t', '--duration', '0'], '--duration', /out of range: allowed 15 seconds to 10 minutes/, cwd);
  await expectUsage(['t', '--duration', '3h'], '--duration', /out of range/, cwd);
  await expectUsage(['t', '--duration', 'soon'], '--duration', /not a duration/, cwd);
  await expectUsage(['t', '--aspect', '4:3'], '--aspect', /9:16, 16:9, 1:1/, cwd);
  await expectUsage(['t', '--lang', 'klingon'], '--lang', /en, fr/, cwd);
  await expectUsage(['t', '--media-dir', join(cwd, 'nope')], '--media-dir', /does not exist/, cwd);
  await writeFile(join(cwd, 'file.txt'), 'x');
  await expectUsage(['t', '--media-dir', join(cwd, 'file.txt')], '--media-dir', /is a file, not a folder/, cwd);
  await expectUsage(['t', '--out', join(cwd, 'file.txt', 'sub')], '--out', /cannot be written \(ENOTDIR\)/, cwd);
  await expectUsage(['t', '--out', '/proc/faceless'], '--out', /cannot be written/, cwd);
  await expectUsage(['t', '--script', join(cwd, 'missing.md')], '--script', /cannot read/, cwd);
  await expectUsage(['t', '--bogus'], '--bogus', /unknown option; see "faceless make --help"/, cwd);
  await expectUsage(['t', '--durration', '20'], '--durration', /unknown option; did you mean --duration\?/, cwd);
  await expectUsage(['t', '--duration'], '--duration', /needs a value: --duration <time>/, cwd);
  await expectUsage(['two', 'words'], '<topic>', /in quotes/, cwd);
  await expectUsage(['t', '--captions', 'karaoke'], '--captions', /highlight, block, single, plain, none/, cwd);
  await expectUsage(['t', '--music-dir', join(cwd, 'nope')], '--music-dir', /does not exist/, cwd);
  await expectUsage(['t', '--no-music', '--mood', 'calm'], '--no-music', /--mood/, cwd);
});

test('caption style and music options reach the request', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'faceless-opt-'));
  const defaults = await parseMakeOptions(['t'], cwd);
  assert.equal(defaults.request.captionStyle, 'highlight');
  assert.equal(defaults.request.music, true);
  const o = await parseMakeOptions(['t', '--captions', 'block', '--music-dir', cwd, '--mood', 'calm'], cwd);
  assert.equal(o.request.captionStyle, 'block');
  assert.equal(o.request.musicDir, cwd);
  assert.equal(o.request.mood, 'calm');
  assert.equal((await parseMakeOptions(['t', '--no-music'], cwd)).request.music, false);
});

test('--publish <channel> publishes to that channel and cannot be combined with --channel', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'faceless-opt-'));
  const o = await parseMakeOptions(['t', '--publish', 'science'], cwd);
  assert.equal(o.request.channel, 'science');
  assert.equal(o.publishTo, 'science');
  await expectUsage(['t', '--publish', 'science', '--channel', 'local'], '--publish', /--channel/, cwd);
});

test('--script reads the text and takes the topic from its first heading', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'faceless-opt-'));
  await writeFile(join(cwd, 'talk.md'), '# Les abeilles\n\nIntro.\n\n## Partie un\n\nTexte.\n');
  const o = await parseMakeOptions(['--script', 'talk.md', '--lang', 'fr'], cwd);
  assert.equal(o.request.topic, 'Les abeilles');
  assert.match(o.request.scriptText ?? '', /Partie un/);
  assert.equal(o.request.lang, 'fr');
});

test('--caption-* options reach the request; bad ones name the option and the allowed values', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'faceless-opt-'));
  await writeFile(join(cwd, 'Brand.ttf'), 'not checked here: the video-assembler reads the font');
  const o = await parseMakeOptions([
    't', '--caption-size', 'large', '--caption-position', 'top', '--caption-color', '#00FF00', '--caption-highlight', '#ff00ff',
    '--caption-outline', '#000000', '--caption-font', 'Brand.ttf',
  ], cwd);
  assert.deepEqual(o.request.captions, {
    size: 'large', position: 'top', color: '#00FF00', highlightColor: '#ff00ff', outlineColor: '#000000', font: join(cwd, 'Brand.ttf'),
  });
  assert.equal((await parseMakeOptions(['t', '--caption-size', '1.4'], cwd)).request.captions?.size, 1.4);
  assert.equal((await parseMakeOptions(['t', '--caption-font', 'DejaVu Sans'], cwd)).request.captions?.font, 'DejaVu Sans');
  assert.equal((await parseMakeOptions(['t'], cwd)).request.captions, undefined);
  await expectUsage(['t', '--caption-size', 'huge'], '--caption-size', /small, medium, large or a scale from 0\.5 to 2/, cwd);
  await expectUsage(['t', '--caption-size', '5'], '--caption-size', /at most 2/, cwd);
  await expectUsage(['t', '--caption-position', 'left'], '--caption-position', /top, middle, bottom/, cwd);
  await expectUsage(['t', '--caption-color', 'green'], '--caption-color', /#RRGGBB/, cwd);
  await expectUsage(['t', '--caption-highlight', '#12345'], '--caption-highlight', /#RRGGBB/, cwd);
  await expectUsage(['t', '--caption-font', './missing.otf'], '--caption-font', /missing\.otf is not a file: give a \.ttf or \.otf file/, cwd);
});

test('--voice-speed reaches the request as a factor; bad ones name the option and the range', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'make-speed-'));
  for (const [typed, speed] of [['1.2', 1.2], ['0.9x', 0.9], ['150%', 1.5]] as const) {
    const o = await parseMakeOptions(['tea', '--voice-speed', typed, '--out', join(dir, 'o')]);
    assert.equal(o.request.voiceSpeed, speed, typed);
  }
  assert.equal((await parseMakeOptions(['tea', '--out', join(dir, 'o')])).request.voiceSpeed, undefined, 'absent: the voice\'s own pace');
  await expectUsage(['tea', '--voice-speed', 'fast'], '--voice-speed', /"fast" is not a speed.*1\.1/);
  await expectUsage(['tea', '--voice-speed', '3'], '--voice-speed', /out of range: allowed 0\.5 .* to 2/);
  await expectUsage(['tea', '--voice-speed', '0.2'], '--voice-speed', /out of range/);
});
