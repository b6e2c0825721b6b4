import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import type { EspeakVoice, EspeakWorker } from '@echogarden/espeak-ng-emscripten';
import { ENGINE_SPEED_RANGES, type Language, type WordTiming } from '@faceless/contracts';
import { FacelessError, runStep } from '@faceless/runtime';
import { splitWords } from '../script-words.ts';
import { concatSamples, encodeWavMono16 } from '../wav-header.ts';
import { buildMarkedSsml, resolveMarkTimes, sentenceRanges } from './espeak-ssml.ts';
import type { VoiceInfo, VoiceProvider, VoiceRequest, VoiceResult } from './voice-provider.ts';

export const ESPEAK_DEFAULT_VOICES = { en: 'en-us', fr: 'fr', es: 'es', de: 'de', it: 'it', pt: 'pt' } as const satisfies Record<Language, string>;

/** espeak-ng's own default rate, in words per minute. */
export const ESPEAK_BASE_RATE = 175;
const RATE_LIMITS = { min: 80, max: 450 } as const;

export function espeakRate(speed: number): number {
  return Math.round(Math.min(RATE_LIMITS.max, Math.max(RATE_LIMITS.min, ESPEAK_BASE_RATE * speed)));
}

/** The short id of an espeak voice: the file name of its identifier ("roa/pt-BR" → "pt-br"). */
export function espeakVoiceId(voice: EspeakVoice): string {
  return (voice.identifier.split('/').at(-1) ?? voice.identifier).toLowerCase();
}

export function toVoiceInfo(voice: EspeakVoice): VoiceInfo {
  return { id: espeakVoiceId(voice), name: voice.name, languages: voice.languages.map((l) => l.name) };
}

export function voiceSpeaks(voice: EspeakVoice, lang: string): boolean {
  const l = lang.toLowerCase();
  return voice.languages.some((x) => x.name === l || x.name.startsWith(`${l}-`));
}

/**
 * The id to give set_voice for what a user typed: a short id ("pt-br"), an identifier ("roa/pt-BR")
 * or a name ("Portuguese (Brazil)"), case-insensitive, with an optional espeak variant ("en-us+f3").
 */
export function matchEspeakVoice(voices: readonly EspeakVoice[], wanted: string): string | undefined {
  const [base = '', ...variant] = wanted.trim().split('+');
  const key = base.toLowerCase();
  const found = voices.find((v) => espeakVoiceId(v) === key || v.identifier.toLowerCase() === key || v.name.toLowerCase() === key);
  if (!found) return undefined;
  return [espeakVoiceId(found), ...variant].join('+');
}

let engine: Promise<EspeakWorker> | undefined;
let queue: Promise<unknown> = Promise.resolve();

function loadEngine(): Promise<EspeakWorker> {
  engine ??= import('@echogarden/espeak-ng-emscripten')
    .then(async (m) => new (await m.default()).eSpeakNGWorker())
    .catch((err: unknown) => {
      engine = undefined;
      throw new FacelessError('MISSING_DEPENDENCY', `the espeak-ng engine (@echogarden/espeak-ng-emscripten) could not load: ${(err as Error).message}; reinstall the dependencies with "npm install"`, { cause: err });
    });
  return engine;
}

/** Runs fn with the one shared engine, one caller at a time (the engine keeps voice and rate as state). */
function withEngine<T>(fn: (worker: EspeakWorker) => Promise<T> | T): Promise<T> {
  const run = queue.then(async () => fn(await loadEngine()));
  queue = run.catch(() => undefined);
  return run;
}

interface SynthesizedSentence {
  samples: Int16Array;
  marks: Map<string, number>;
}

function synthesizeSsml(worker: EspeakWorker, ssml: string): SynthesizedSentence {
  const parts: Int16Array[] = [];
  const marks = new Map<string, number>();
  worker.synthesize(ssml, (samples, events) => {
    parts.push(samples);
    for (const e of events) if (e.type === 'mark' && typeof e.id === 'string' && !marks.has(e.id)) marks.set(e.id, e.audio_position);
    return false;
  });
  return { samples: concatSamples(parts), marks };
}

export interface EspeakProviderOptions {
  /** Silence between two segments (hook, sections, call to action). */
  segmentPauseMs?: number;
}

/** The offline default: espeak-ng compiled to WebAssembly, voices included, no system binary. */
export function createEspeakProvider(options: EspeakProviderOptions = {}): VoiceProvider {
  const pauseMs = options.segmentPauseMs ?? 350;

  function synthesize(request: VoiceRequest): Promise<VoiceResult> {
    const summary = (): string => `${request.voice ?? ESPEAK_DEFAULT_VOICES[request.lang]} speed ${request.speed}, ${request.segments.length} segments`;
    return runStep('espeak-ng', summary, () => withEngine(async (worker) => {
      const voices = worker.list_voices();
      const wanted = request.voice ?? ESPEAK_DEFAULT_VOICES[request.lang];
      const voice = matchEspeakVoice(voices, wanted);
      if (!voice || worker.set_voice(voice) !== 0) {
        const fallback = ESPEAK_DEFAULT_VOICES[request.lang];
        const examples = [fallback, ...voices.filter((v) => voiceSpeaks(v, request.lang)).map(espeakVoiceId).filter((id) => id !== fallback)].slice(0, 6);
        throw new FacelessError('INVALID_INPUT', `espeak-ng has no voice "${wanted}": use one of ${examples.join(', ')} for "${request.lang}", or another of its ${voices.length} voice ids`, { field: 'voice' });
      }
      worker.set_rate(espeakRate(request.speed));
      worker.set_pitch(50);
      worker.set_range(50);
      const sampleRate = worker.get_samplerate();
      const pause = new Int16Array(Math.round((sampleRate * pauseMs) / 1000));
      const parts: Int16Array[] = [];
      const words: WordTiming[] = [];
      let samplesSoFar = 0;
      for (const [segment, text] of request.segments.entries()) {
        const segmentWords = splitWords(text);
        if (segmentWords.length === 0) continue;
        if (samplesSoFar > 0) {
          parts.push(pause);
          samplesSoFar += pause.length;
        }
        for (const [from, to] of sentenceRanges(segmentWords)) {
          // Yield between sentences: synthesis is synchronous, and a host must stay responsive and cancellable.
          await nextTick();
          if (request.signal.aborted) throw new FacelessError('CANCELLED', 'speech synthesis was cancelled');
          const sentence = segmentWords.slice(from, to);
          const { samples, marks } = synthesizeSsml(worker, buildMarkedSsml(sentence));
          const offsetSec = samplesSoFar / sampleRate;
          const spans = resolveMarkTimes({ words: sentence, marks, totalMs: (samples.length / sampleRate) * 1000 });
          spans.forEach((s, i) => words.push({ text: sentence[i]!, start: offsetSec + s.startMs / 1000, end: offsetSec + s.endMs / 1000, segment }));
          parts.push(samples);
          samplesSoFar += samples.length;
        }
      }
      if (samplesSoFar === 0) throw new FacelessError('INVALID_INPUT', 'the script has no words to speak: give the hook, sections and call to action some text', { field: 'script' });
      const audioFile = join(request.workDir, 'espeak-raw.wav');
      await writeFile(audioFile, encodeWavMono16(concatSamples(parts), sampleRate));
      return { audioFile, voice, words };
    }));
  }

  return {
    name: 'espeak-ng',
    speedRange: ENGINE_SPEED_RANGES.espeak,
    billed: false,
    synthesize,
    listVoices: (lang) => withEngine((worker) => worker.list_voices().filter((v) => !lang || voiceSpeaks(v, lang)).map(toVoiceInfo)),
  };
}

/** For `faceless doctor`: loads the engine and speaks one word. */
export async function checkEspeak(): Promise<{ ok: boolean; detail: string }> {
  try {
    const started = Date.now();
    const samples = await withEngine((worker) => {
      if (worker.set_voice('en-us') !== 0) throw new Error('voice en-us is missing');
      worker.set_rate(ESPEAK_BASE_RATE);
      return synthesizeSsml(worker, buildMarkedSsml(['hello'])).samples.length;
    });
    if (samples === 0) return { ok: false, detail: 'espeak-ng (WebAssembly) loaded but produced no audio' };
    return { ok: true, detail: `espeak-ng (WebAssembly) spoke a test word in ${Date.now() - started} ms` };
  } catch (err) {
    return { ok: false, detail: `espeak-ng (WebAssembly) failed: ${(err as Error).message}` };
  }
}
