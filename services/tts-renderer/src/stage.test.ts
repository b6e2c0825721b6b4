import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Script, TtsRenderOutput } from '@faceless/contracts';
import { scriptSegments } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { createLogger, ffprobe } from '@faceless/runtime';
import type { StageContext } from '@faceless/runtime';
import { checkEspeak, createStage, listVoices } from './index.ts';
import { measureLoudness } from './loudness.ts';
import { splitWords } from './script-words.ts';

const dirs: string[] = [];
after(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

async function context(signal = new AbortController().signal): Promise<{ ctx: StageContext; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'tts-store-'));
  const workDir = await mkdtemp(join(tmpdir(), 'tts-work-'));
  dirs.push(root, workDir);
  return { root, ctx: { store: new FolderStore(root), log: createLogger({ level: 'error' }), signal, progress: () => {}, workDir } };
}

function script(lang: Script['lang'], hook: string, sections: [string, string][], callToAction: string): Script {
  return { lang, titleIdea: 'test', hook, sections: sections.map(([heading, narration]) => ({ heading, narration, visualKeywords: [] })), callToAction, wordCount: 0, estimatedDurationSec: 0 };
}

const EN = script('en', 'Why is the ocean blue? In 1990, a student asked that question.', [
  ['The answer', 'Water absorbs red light, so blue is what reaches your eyes. It is physics, not the sky.'],
], "Subscribe if you'd like more!");

const FR = script('fr', "Pourquoi l'océan est-il si bleu ? En 1990, un élève déçu posa la question.", [
  ['La réponse', "L'eau absorbe la lumière rouge — c'est tout. Même à 3,5 km de profondeur, <rien> & personne ne voit le rouge."],
  ['Et après', 'Les poissons, eux, voient très bien.'],
], 'Abonnez-vous !');

/** Mono 16-bit samples of a WAV file, found through its chunk list (ffmpeg adds a LIST chunk). */
async function readWavSamples(file: string): Promise<{ samples: Int16Array; rate: number }> {
  const bytes = await readFile(file);
  const rate = bytes.readUInt32LE(24);
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (id === 'data') {
      const data = bytes.subarray(at + 8, at + 8 + size);
      return { samples: new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)), rate };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error(`no data chunk in ${file}`);
}

function rmsDb(samples: Int16Array, rate: number, from: number, to: number): number {
  const a = Math.max(0, Math.floor(from * rate));
  const b = Math.min(samples.length, Math.ceil(to * rate));
  let sum = 0;
  for (let i = a; i < b; i++) sum += samples[i]! ** 2;
  return 10 * Math.log10(sum / Math.max(1, b - a) / 32768 ** 2 + 1e-12);
}

async function renderAndCheck(s: Script): Promise<TtsRenderOutput> {
  const { ctx, root } = await context();
  const stage = createStage({ env: {} });
  const out = await stage.execute({ outputPrefix: 'pipelines/t/', script: s, lang: s.lang }, ctx);
  const file = join(root, 'pipelines/t/voice.wav');
  assert.equal(out.audioPath, 'pipelines/t/voice.wav');
  assert.equal(out.provider, 'espeak-ng');

  const probe = await ffprobe(file);
  const stream = probe.streams[0]!;
  assert.equal(stream.codec_name, 'pcm_s16le');
  assert.equal(stream.sample_rate, '48000');
  assert.equal(stream.channels, 1);
  const duration = Number(probe.format.duration);
  assert.ok(Math.abs(duration - out.durationSec) < 0.01);
  const last = out.words.at(-1)!;
  assert.ok(duration - last.end >= 0 && duration - last.end < 0.5, `tail after the last word: ${duration - last.end} s`);

  const segments = scriptSegments(s);
  const expected = segments.flatMap((seg, i) => splitWords(seg.text).map((text) => ({ text, segment: i })));
  assert.equal(out.words.length, expected.length);
  assert.deepEqual(out.words.map((w) => ({ text: w.text, segment: w.segment })), expected);
  let prev = 0;
  for (const w of out.words) {
    assert.ok(w.start >= prev, `${w.text} starts at ${w.start}, before the previous end ${prev}`);
    assert.ok(w.end - w.start >= 0.039, `${w.text} lasts only ${w.end - w.start} s`);
    assert.ok(w.end <= duration);
    prev = w.end;
  }

  assert.deepEqual(out.segments.map((x) => x.heading), segments.map((x) => x.heading));
  const { samples, rate } = await readWavSamples(file);
  for (let i = 1; i < out.segments.length; i++) {
    const gap = [out.segments[i - 1]!.end, out.segments[i]!.start] as const;
    assert.ok(gap[1] - gap[0] >= 0.3, `pause between segments ${i - 1} and ${i}: ${gap[1] - gap[0]} s`);
    // The timings sit on the audio: silence between segments, speech inside them.
    assert.ok(rmsDb(samples, rate, gap[0] + 0.05, gap[1] - 0.05) < -50, `segment gap ${i} is not silent`);
    assert.ok(rmsDb(samples, rate, out.segments[i]!.start, out.segments[i]!.end) > -30, `segment ${i} is not speech`);
  }

  const loudness = await measureLoudness(file);
  assert.ok(Math.abs(loudness.input_i + 14) <= 1, `integrated loudness ${loudness.input_i} LUFS`);
  assert.ok(loudness.input_tp <= -1, `true peak ${loudness.input_tp} dBTP`);
  assert.ok(out.loudnessLufs !== undefined && Math.abs(out.loudnessLufs - loudness.input_i) < 0.5);
  return out;
}

test('English script: timed words on a -14 LUFS 48 kHz voice-over', async () => {
  const out = await renderAndCheck(EN);
  assert.equal(out.voice, 'en-us');
  assert.ok(out.words.some((w) => w.text === "you'd"));
  assert.ok(out.words.some((w) => w.text === '1990,'));
});

test('French script with accents, apostrophes, numbers and markup characters', async () => {
  const out = await renderAndCheck(FR);
  assert.equal(out.voice, 'fr');
  for (const word of ["l'océan", 'déçu', '1990,', '—', '<rien>', '&', "L'eau", '3,5', '!']) {
    assert.ok(out.words.some((w) => w.text === word), `"${word}" kept as written`);
  }
  // "1990," is spoken as four words ("mille neuf cent quatre-vingt-dix"): it lasts longer than "En".
  const en = out.words.find((w) => w.text === 'En')!;
  const year = out.words.find((w) => w.text === '1990,')!;
  assert.ok(year.end - year.start > 2 * (en.end - en.start));
});

test('a voice the engine lacks is INVALID_INPUT on "voice", naming valid ones', async () => {
  const { ctx } = await context();
  await assert.rejects(createStage({ env: {} }).execute({ script: EN, lang: 'fr', voice: 'no-such-voice' }, ctx), (err: Error & { code?: string; field?: string }) => {
    assert.equal(err.code, 'INVALID_INPUT');
    assert.equal(err.field, 'voice');
    assert.match(err.message, /"no-such-voice".*fr, /);
    return true;
  });
});

test('another espeak voice and speed are honoured: faster speech is shorter', async () => {
  const short = script('en', 'One two three four five six seven eight nine ten.', [['A', 'Eleven twelve thirteen.']], 'Bye.');
  const { ctx: a } = await context();
  const { ctx: b } = await context();
  const normal = await createStage({ env: {} }).execute({ script: short, lang: 'en', voice: 'English (Great Britain)' }, a);
  const fast = await createStage({ env: {} }).execute({ script: short, lang: 'en', voice: 'en-gb-x-rp', speed: 1.6 }, b);
  assert.equal(normal.voice, 'en');
  assert.equal(fast.voice, 'en-gb-x-rp');
  assert.ok(fast.durationSec < normal.durationSec * 0.8, `${fast.durationSec} s at 1.6× vs ${normal.durationSec} s`);
});

test('a cancelled run stops with CANCELLED', async () => {
  const controller = new AbortController();
  controller.abort();
  const { ctx } = await context(controller.signal);
  await assert.rejects(createStage({ env: {} }).execute({ script: EN, lang: 'en' }, ctx), { code: 'CANCELLED' });
});

test('listVoices and checkEspeak work offline', async () => {
  const fr = await listVoices({}, 'fr');
  assert.ok(fr.some((v) => v.id === 'fr'));
  assert.ok(fr.every((v) => v.languages.some((l) => l.startsWith('fr'))));
  assert.ok((await listVoices({})).length > 100);
  const check = await checkEspeak();
  assert.equal(check.ok, true, check.detail);
});
