import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scriptSegments, speakingRate, type Script, type VoiceEngine } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { createLogger, ffprobe, runProcess, type StageContext } from '@faceless/runtime';
import { createStage } from './index.ts';
import { createEspeakProvider } from './providers/espeak.ts';

// The length asked for, through the whole voice stage, for each voice engine: the script holds the
// words SPEAKING_RATES says fill the duration (as the script-generator sizes it), the stage paces the
// voice to the duration, and the stored voice.wav is measured with ffprobe.

const SENTENCES = {
  en: [
    'Octopuses have three hearts and blue blood.',
    'Each arm holds a cluster of neurons that can act on its own.',
    'They taste what they touch, through thousands of suckers.',
    'A curious octopus will unscrew a jar to reach the crab inside.',
    'Their skin changes colour in a fraction of a second.',
    'Some species mimic a sea snake or a lionfish to scare predators away.',
    'Most of them live only a year or two.',
    'Scientists still argue about what it feels like to be one.',
    'In aquariums, they have been seen squirting water at lights they dislike.',
    'They recognise the people who feed them.',
    'Their ancestors split from ours more than five hundred million years ago.',
    'So their intelligence grew along a completely different path.',
  ],
  fr: [
    'La pieuvre a trois cœurs et le sang bleu.',
    'Chaque bras porte un réseau de neurones capable d’agir seul.',
    'Elle goûte ce qu’elle touche, grâce à des milliers de ventouses.',
    'Une pieuvre curieuse dévisse un bocal pour attraper le crabe à l’intérieur.',
    'Sa peau change de couleur en une fraction de seconde.',
    'Certaines espèces imitent un serpent de mer pour effrayer leurs prédateurs.',
    'La plupart ne vivent qu’un an ou deux.',
    'Les chercheurs se demandent encore ce que l’on ressent dans sa peau.',
    'En aquarium, on en a vu arroser les lampes qui les gênaient.',
    'Elles reconnaissent les personnes qui les nourrissent.',
    'Leurs ancêtres se sont séparés des nôtres il y a plus de cinq cents millions d’années.',
    'Leur intelligence a donc suivi un tout autre chemin.',
  ],
} as const;

const countWords = (text: string): number => text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/** A script of a hook, four sections and a call to action holding the words that fill `durationSec` at the engine's pace. */
function sizedScript(lang: 'en' | 'fr', durationSec: number, engine: VoiceEngine, speed = 1): Script {
  const target = Math.round((durationSec * speakingRate(engine, lang, speed)) / 60);
  const parts: string[][] = [[], [], [], [], [], []];
  let words = 0;
  for (let i = 0; words < target; i++) {
    const sentence = SENTENCES[lang][i % SENTENCES[lang].length]!;
    parts[Math.min(parts.length - 1, Math.floor((words / target) * parts.length))]!.push(sentence);
    words += countWords(sentence);
  }
  const [hook, ...rest] = parts.map((p) => p.join(' ') || SENTENCES[lang][0]);
  const callToAction = rest.pop()!;
  return {
    lang, titleIdea: 'Octopuses', hook: hook!, callToAction, wordCount: words, estimatedDurationSec: durationSec,
    sections: rest.map((narration, i) => ({ heading: `Part ${i + 1}`, narration, visualKeywords: [] })),
  };
}

const dirs: string[] = [];
after(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

async function renderTo(env: Record<string, string>, script: Script, targetDurationSec: number, speed = 1): Promise<{ durationSec: number; words: number; firstStart: number; lastEnd: number }> {
  const root = await mkdtemp(join(tmpdir(), 'tts-duration-'));
  dirs.push(root);
  const ctx: StageContext = { store: new FolderStore(join(root, 'store')), log: createLogger({ level: 'error' }), signal: new AbortController().signal, progress: () => {}, workDir: root };
  const out = await createStage({ env }).execute({ outputPrefix: 'p/', script, lang: script.lang, speed, targetDurationSec }, ctx);
  const durationSec = Number((await ffprobe(join(root, 'store', 'p', 'voice.wav'))).format.duration);
  assert.ok(Math.abs(durationSec - out.durationSec) < 0.01);
  return { durationSec, words: out.words.length, firstStart: out.words[0]!.start, lastEnd: out.words.at(-1)!.end };
}

function assertLength(r: Awaited<ReturnType<typeof renderTo>>, script: Script, target: number, what: string): void {
  const error = r.durationSec / target - 1;
  assert.ok(Math.abs(error) <= 0.05, `${what}: ${r.durationSec.toFixed(2)} s for ${target} s (${(error * 100).toFixed(1)} %)`);
  assert.equal(r.words, scriptSegments(script).reduce((n, s) => n + s.text.split(/\s+/).filter(Boolean).length, 0), `${what}: every word is spoken`);
  // Not padded: the voice starts at once and the audio ends with the last word.
  assert.ok(r.firstStart < 0.5, `${what}: first word at ${r.firstStart} s`);
  assert.ok(r.durationSec - r.lastEnd < 0.6, `${what}: ${(r.durationSec - r.lastEnd).toFixed(2)} s after the last word`);
}

test('espeak-ng: 30, 45, 60 and 90 s in English and French land within 5 %', async () => {
  for (const lang of ['en', 'fr'] as const) {
    for (const target of [30, 45, 60, 90]) {
      const script = sizedScript(lang, target, 'espeak');
      assertLength(await renderTo({ TTS_PROVIDER: 'espeak' }, script, target), script, target, `espeak ${lang} ${target} s`);
    }
  }
});

test('espeak-ng at voice speed 1.3: a script sized for the faster voice still lasts what was asked', async () => {
  const script = sizedScript('en', 45, 'espeak', 1.3);
  assertLength(await renderTo({ TTS_PROVIDER: 'espeak' }, script, 45, 1.3), script, 45, 'espeak en 45 s at 1.3');
});

test('a script a fifth too long for its duration is brought back by pauses and the espeak-ng rate, not cut', async () => {
  const script = sizedScript('fr', 36, 'espeak');
  assertLength(await renderTo({ TTS_PROVIDER: 'espeak' }, script, 30), script, 30, 'espeak fr 36 s of words in 30 s');
});

// Fake paid voices that really speak: espeak-ng says the text at the pace of a slower voice (so the
// audio's length follows the text and the speed asked), a few percent off SPEAKING_RATES like a real voice.
const FAKE_PACE = { elevenlabs: { en: 0.82, fr: 0.85 }, openai: { en: 0.86, fr: 0.8 } } as const;
let fakeDir: string;
let server: Server;
let baseUrl: string;

async function speak(text: string, lang: 'en' | 'fr', speed: number, name: string): Promise<{ wav: string; words: { start: number; end: number }[] }> {
  const segments = text.split(/\n\n+/);
  const voiced = await createEspeakProvider({ segmentPauseMs: 250 }).synthesize({ segments, lang, speed, workDir: fakeDir, signal: new AbortController().signal });
  const wav = join(fakeDir, `${name}.wav`);
  await runProcess('ffmpeg', ['-v', 'error', '-y', '-i', voiced.audioFile, wav]);
  return { wav, words: voiced.words };
}

/** ElevenLabs' per-character alignment: each word's characters spread over its time, the spaces between words in the gaps. */
function alignment(text: string, words: readonly { start: number; end: number }[]): unknown {
  const characters = [...text];
  const starts: number[] = [];
  const ends: number[] = [];
  let w = -1;
  let inWord = false;
  let wordChars: number[] = [];
  const flush = (): void => {
    const span = words[w]!;
    wordChars.forEach((ci, k) => {
      starts[ci] = span.start + ((span.end - span.start) * k) / wordChars.length;
      ends[ci] = span.start + ((span.end - span.start) * (k + 1)) / wordChars.length;
    });
    wordChars = [];
  };
  characters.forEach((c, i) => {
    const space = /\s/u.test(c);
    if (!space && !inWord) { w++; inWord = true; }
    if (space && inWord) { flush(); inWord = false; }
    if (space) {
      const t = words[Math.max(0, w)]?.end ?? 0;
      starts[i] = t;
      ends[i] = t;
    } else {
      wordChars.push(i);
    }
  });
  if (inWord) flush();
  return { characters, character_start_times_seconds: starts, character_end_times_seconds: ends };
}

before(async () => {
  fakeDir = await mkdtemp(join(tmpdir(), 'fake-voices-'));
  dirs.push(fakeDir);
  let calls = 0;
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => { raw += c; }).on('end', () => {
      void (async () => {
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const body = JSON.parse(raw || '{}') as { text?: string; input?: string; speed?: number; voice_settings?: { speed?: number }; model_id?: string };
        const lang = /[éèàçùœ’]/u.test(body.text ?? body.input ?? '') ? 'fr' : 'en';
        const n = calls++;
        if (path.startsWith('/v1/text-to-speech/')) {
          const text = body.text ?? '';
          const spoken = await speak(text, lang, FAKE_PACE.elevenlabs[lang] * (body.voice_settings?.speed ?? 1), `el-${n}`);
          const mp3 = join(fakeDir, `el-${n}.mp3`);
          await runProcess('ffmpeg', ['-v', 'error', '-y', '-i', spoken.wav, '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', mp3]);
          const json = { audio_base64: (await readFile(mp3)).toString('base64'), alignment: alignment(text, spoken.words) };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        } else if (path === '/v1/audio/speech') {
          const spoken = await speak(body.input ?? '', lang, FAKE_PACE.openai[lang] * (body.speed ?? 1), `oa-${n}`);
          res.writeHead(200, { 'content-type': 'audio/wav' }).end(await readFile(spoken.wav));
        } else {
          res.writeHead(404).end();
        }
      })().catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

test('ElevenLabs (fake that speaks): 30 and 60 s in English and French land within 5 %', async () => {
  const env = { TTS_PROVIDER: 'elevenlabs', ELEVENLABS_API_KEY: 'k', ELEVENLABS_BASE_URL: baseUrl };
  for (const lang of ['en', 'fr'] as const) {
    for (const target of [30, 60]) {
      const script = sizedScript(lang, target, 'elevenlabs');
      assertLength(await renderTo(env, script, target), script, target, `elevenlabs ${lang} ${target} s`);
    }
  }
});

test('OpenAI speech (fake that speaks): 30 and 60 s in English and French land within 5 %', async () => {
  const env = { TTS_PROVIDER: 'openai', OPENAI_TTS_API_KEY: 'k', OPENAI_TTS_BASE_URL: baseUrl };
  for (const lang of ['en', 'fr'] as const) {
    for (const target of [30, 60]) {
      const script = sizedScript(lang, target, 'openai');
      assertLength(await renderTo(env, script, target), script, target, `openai ${lang} ${target} s`);
    }
  }
});
