// Requested against produced length of the voice-over (= the video's length) with the offline writer
// and espeak-ng, the default path of `faceless make`:
//   node --import tsx bench/duration.ts [--langs en,fr] [--durations 30,45,60,90] [--topics N] [--speed 1]
// Each row: the script stage sized for the voice, then the tts stage paced to the duration; the
// length is the final voice.wav's, read with ffprobe. Prints one markdown row per run and a summary.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Language } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { ffprobe, type Logger } from '@faceless/runtime';
import { createStage as createScriptStage } from '@faceless/script-generator';
import { createStage as createTtsStage } from '@faceless/tts-renderer';
import { flag, loadAverage } from './bench-inputs.ts';

const TOPICS: Record<'en' | 'fr', string[]> = {
  en: ['How octopuses think', 'Why the sky is blue', 'The history of tea', 'How bitcoin works'],
  fr: ['Pourquoi les chats ronronnent', 'Comment pensent les pieuvres', "L'histoire du thé", 'Pourquoi le ciel est bleu'],
};
const langs = (flag('--langs') ?? 'en,fr').split(',') as ('en' | 'fr')[];
const durations = (flag('--durations') ?? '30,45,60,90').split(',').map(Number);
const topicCount = Number(flag('--topics') ?? 2);
const speed = Number(flag('--speed') ?? 1);

const root = await mkdtemp(join(tmpdir(), 'bench-duration-'));
const store = new FolderStore(join(root, 'store'));
let paced: Record<string, unknown> = {};
const log: Logger = {
  debug: () => {}, warn: () => {}, error: () => {},
  info: (message, fields) => { if (message === 'voice-over paced') paced = fields ?? {}; },
  child: () => log,
};
const env = { SCRIPT_PROVIDER: 'offline', TTS_PROVIDER: 'espeak' };
const scriptStage = createScriptStage({ env });
const ttsStage = createTtsStage({ env });
console.log(`load average at start: ${loadAverage().toFixed(2)}`);
console.log('| lang | requested s | topic | words | espeak speed kept | re-renders | pauses changed s | produced s | error |');
console.log('|---|---|---|---|---|---|---|---|---|');
const errors: number[] = [];
let run = 0;
try {
  for (const lang of langs) {
    for (const durationSec of durations) {
      for (const topic of TOPICS[lang].slice(0, topicCount)) {
        const workDir = await mkdtemp(join(root, 'work-'));
        const ctx = { store, log, signal: new AbortController().signal, progress: () => {}, workDir };
        const { script } = await scriptStage.execute({ topic, lang: lang as Language, durationSec, voiceSpeed: speed }, ctx);
        const prefix = `run-${run++}/`;
        await ttsStage.execute({ outputPrefix: prefix, script, lang, speed, targetDurationSec: durationSec }, ctx);
        const produced = Number((await ffprobe(join(root, 'store', prefix, 'voice.wav'))).format.duration);
        const error = produced / durationSec - 1;
        errors.push(error);
        console.log(`| ${lang} | ${durationSec} | ${topic} | ${script.wordCount} | ${String(paced.speed)} | ${String(paced.rerenders)} | ${String(paced.pauseChangeSec)} | ${produced.toFixed(2)} | ${(error * 100).toFixed(1)} % |`);
      }
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
const worst = errors.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a), 0);
console.log(`\n${errors.length} runs, worst error ${(worst * 100).toFixed(1)} %, mean |error| ${(errors.reduce((a, b) => a + Math.abs(b), 0) / errors.length * 100).toFixed(2)} %; load average at end: ${loadAverage().toFixed(2)}`);
