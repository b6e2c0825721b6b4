import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { VideoAssembleInput, VideoAssembleOutput } from '@faceless/contracts';
import { defineStage, FacelessError, ffprobe } from '@faceless/runtime';
import type { Stage, StageContext } from '@faceless/runtime';
import { buildSrt, buildWebVtt } from './caption-files.ts';
import { measureFontWidthScale, resolveCaptionFont } from './caption-font.ts';
import type { CaptionFont } from './caption-font.ts';
import { buildAssCaptions, CAPTION_FONT, captionCues } from './captions.ts';
import type { BuildCaptionsOptions, CaptionLook } from './captions.ts';
import type { EncodeSettings } from './ffmpeg-args.ts';
import { generatedVisuals } from './providers/generated.ts';
import { createVisualChain } from './providers/visual-chain.ts';
import { mixNarrationWithMusic } from './audio-mix.ts';
import { chooseMusic, seedFromText } from './music-library.ts';
import { renderVideo } from './render.ts';
import type { TransitionStyle } from './transitions.ts';
import { posterFrame, renderChunks, segmentSpans } from './timeline.ts';
import type { SegmentSpan } from './timeline.ts';
import { FPS, outputSize, posterSize } from './video-format.ts';
import type { SegmentBrief, SegmentVisual, StockSource, VisualProvider } from './visuals.ts';

export type VideoAssemblerStage = Stage<typeof VideoAssembleInput, typeof VideoAssembleOutput>;

export interface VideoAssemblerDeps {
  encode?: EncodeSettings;
  concurrency?: number;
  /** Longest piece of the timeline one ffmpeg process renders. */
  chunkSec?: number;
  /** Stock clips (Pexels) tried after the media folder's keyword matches and before generated backgrounds. */
  stock?: StockSource;
  /** Replaces the visual chain when the input names no mediaDir. */
  defaultVisuals?: VisualProvider;
  /** Replaces the visual chain for an input's mediaDir. */
  mediaVisuals?: (mediaDir: string) => VisualProvider;
  /** The caption font files (copied next to the captions for libass); defaults to Montserrat ExtraBold. */
  fontFiles?: readonly string[];
  /** How sections change (default fade in from black). */
  transitionStyle?: TransitionStyle;
  /** Music folder when the input names none (VIDEO_ASSEMBLER_MUSIC_DIR); a generated bed when unset. */
  musicDir?: string;
  /** Music bed level against the voice in LU, before ducking (VIDEO_ASSEMBLER_MUSIC_DB). */
  musicDb?: number;
  /** Test-only: render frames this much smaller than the real output sizes (1 = real). */
  resolutionScale?: number;
  /** Told after each successful render, e.g. to record the render speed metric. */
  onRendered?: (report: RenderReport) => void;
}

/** One finished render: how much video, in how much wall time (picture, mux and poster), at what size. */
export interface RenderReport {
  videoSec: number;
  wallSec: number;
  width: number;
  height: number;
}

export const DEFAULT_ENCODE: EncodeSettings = { preset: 'veryfast', crf: 21 };
/**
 * Segments longer than this are rendered in pieces. Measured on 2 cores: a piece per segment
 * beats 10 s pieces (each ffmpeg start costs about half a CPU-second).
 */
export const DEFAULT_CHUNK_SEC = 30;
const AUDIO_BITRATE = '160k';
/** The narration and the finished video may differ by at most this much. */
const MAX_DURATION_DRIFT_SEC = 0.2;

/** Montserrat ExtraBold (weight 800), Latin and Latin Extended subsets, from @fontsource/montserrat. */
export function montserratFontFiles(): string[] {
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('@fontsource/montserrat/package.json');
  } catch (err) {
    throw new FacelessError('MISSING_DEPENDENCY', '@fontsource/montserrat is not installed: run "npm install" at the repository root', { cause: err });
  }
  const files = join(dirname(pkg), 'files');
  return ['montserrat-latin-800-normal.woff2', 'montserrat-latin-ext-800-normal.woff2'].map((f) => join(files, f));
}

/**
 * Segment i+1 is section i; the hook and the call to action have no visual keywords. With the
 * spans, each brief says how long its segment stays on screen.
 */
export function segmentBriefs(input: Pick<VideoAssembleInput, 'segments' | 'sections'>, spans?: readonly SegmentSpan[]): SegmentBrief[] {
  return input.segments.map((s, i) => {
    const span = spans?.[i];
    return {
      segment: i,
      heading: s.heading,
      keywords: i >= 1 ? input.sections[i - 1]?.visualKeywords ?? [] : [],
      ...(span ? { durationSec: (span.endFrame - span.startFrame) / FPS } : {}),
    };
  });
}

/** Each attribution line once, in the order the visuals appear. */
function visualCredits(visuals: readonly SegmentVisual[]): string[] {
  const credits = visuals.flatMap((v) => (v.kind !== 'generated' && v.credit ? [v.credit] : []));
  return [...new Set(credits)];
}

async function localAudio(key: string, ctx: StageContext): Promise<string> {
  if (!(await ctx.store.exists(key))) {
    throw new FacelessError('NOT_FOUND', `audioPath "${key}" is not in the object store: render the voice first (tts-renderer) and pass its audioPath`, { field: 'audioPath' });
  }
  const local = ctx.store.localPath?.(key);
  if (local) return local;
  const path = join(ctx.workDir, `narration${extname(key) || '.wav'}`);
  await ctx.store.getFile(key, path);
  return path;
}

async function audioDuration(path: string, key: string, signal: AbortSignal): Promise<number> {
  const probe = await ffprobe(path, signal).catch((err: unknown) => {
    throw new FacelessError('INVALID_INPUT', `audioPath "${key}" is not a readable audio file: ${err instanceof Error ? err.message : String(err)}`, { field: 'audioPath', cause: err });
  });
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  const duration = Number(probe.format.duration ?? audio?.duration);
  if (!audio || !(duration > 0)) {
    throw new FacelessError('INVALID_INPUT', `audioPath "${key}" has no audio to narrate the video: pass the WAV the tts-renderer wrote`, { field: 'audioPath' });
  }
  return duration;
}

/** The video-assembler: narration + word timings + visuals → captioned MP4 and a poster frame. */
export function createVideoAssemblerStage(deps: VideoAssemblerDeps = {}): VideoAssemblerStage {
  const encode = deps.encode ?? DEFAULT_ENCODE;
  const stock = deps.stock ? { stock: deps.stock } : {};
  const visualsFor = (mediaDir: string | undefined): VisualProvider => {
    if (mediaDir) return deps.mediaVisuals?.(mediaDir) ?? createVisualChain({ mediaDir, ...stock });
    return deps.defaultVisuals ?? createVisualChain(stock);
  };
  return defineStage({
    name: 'video-assembler',
    input: VideoAssembleInput,
    output: VideoAssembleOutput,
    async run(input, ctx) {
      const style = input.captionStyle;
      ctx.progress(0, 'reading the narration');
      const audioPath = await localAudio(input.audioPath, ctx);
      const duration = await audioDuration(audioPath, input.audioPath, ctx.signal);
      if (Math.abs(duration - input.durationSec) > 0.5) {
        ctx.log.warn('the narration is not as long as durationSec says; following the audio', { audioSec: duration, durationSec: input.durationSec });
      }

      const size = outputSize(input.aspect, deps.resolutionScale ?? 1);
      const spans = segmentSpans(input.segments, duration, FPS);
      const briefs = segmentBriefs(input, spans);
      const warn = (message: string): void => ctx.log.warn(message);
      const provider = visualsFor(input.mediaDir);
      ctx.progress(0.01, 'choosing visuals');
      const planned = await provider.plan(briefs, { signal: ctx.signal, warn, frame: { aspect: input.aspect, ...size } });
      const fallbacks = generatedVisuals(briefs);

      const workDir = join(ctx.workDir, 'video-assembler');
      const fontsDir = join(workDir, 'fonts');
      await mkdir(fontsDir, { recursive: true });

      const { font: fontOption, ...asked } = input.captions ?? {};
      const defaultFonts = deps.fontFiles ?? montserratFontFiles();
      let look: CaptionLook = asked;
      let captionsPath: string | undefined;
      if (style !== 'none') {
        const font: CaptionFont = fontOption
          ? await resolveCaptionFont(fontOption, { signal: ctx.signal, warn })
          : { fontName: CAPTION_FONT, bold: true, files: [...defaultFonts] };
        // Only the caption face goes in the folder: libass would otherwise weigh every file it finds.
        for (const file of font.files) {
          await copyFile(file, join(fontsDir, file.split(/[\\/]/).pop() ?? 'font.woff2')).catch((err: unknown) => {
            throw fontOption
              ? new FacelessError('INVALID_INPUT', `captions.font ${file} cannot be read: check the path`, { field: 'captions.font', cause: err })
              : new FacelessError('MISSING_DEPENDENCY', `caption font ${file} is missing: run "npm install" at the repository root`, { cause: err });
          });
        }
        const widthScale = fontOption ? await measureFontWidthScale(font, { defaultFontFiles: defaultFonts, workDir, signal: ctx.signal }) : 1;
        look = { ...asked, fontName: font.fontName, bold: font.bold, widthScale };
        captionsPath = join(workDir, 'captions.ass');
      }
      const captionOptions: BuildCaptionsOptions = { aspect: input.aspect, size, style, look, ...(input.lang ? { lang: input.lang } : {}) };
      if (captionsPath) await writeFile(captionsPath, buildAssCaptions(input.words, captionOptions), 'utf8');
      // The files carry the captions of the picture (same lines, same times), and are written even when none are burned in.
      const cues = captionCues(input.words, captionOptions);

      // The music is chosen and mixed while the picture renders; the mux waits for it.
      const audioJob = new AbortController();
      const stopAudio = (): void => audioJob.abort();
      ctx.signal.addEventListener('abort', stopAudio, { once: true });
      const mixing = (async () => {
        const music = input.music
          ? await chooseMusic({
            musicDir: input.musicDir ?? deps.musicDir, mood: input.mood, seed: seedFromText(input.words.map((w) => w.text).join(' ')),
            durationSec: duration, workDir, signal: audioJob.signal, warn,
          })
          : undefined;
        return mixNarrationWithMusic({
          narrationPath: audioPath, durationSec: duration, music, workDir, signal: audioJob.signal, warn,
          ...(deps.musicDb !== undefined ? { musicDb: deps.musicDb } : {}),
        });
      })();
      // renderVideo reports a failure of the mix; this keeps it from counting as unhandled meanwhile.
      void mixing.catch(() => undefined);
      const chunks = renderChunks(spans, Math.round((deps.chunkSec ?? DEFAULT_CHUNK_SEC) * FPS));
      const posterFile = join(workDir, 'poster.jpg');
      let result: Awaited<ReturnType<typeof renderVideo>>;
      const renderStarted = performance.now();
      try {
        result = await renderVideo({
          workDir,
          audio: mixing.then((m) => m.audioPath),
          ...(deps.transitionStyle ? { transitionStyle: deps.transitionStyle } : {}),
          size,
          fps: FPS,
          visuals: planned,
          spans,
          chunks,
          ...(captionsPath ? { captionsPath, fontsDir } : {}),
          poster: { frame: posterFrame(spans), size: posterSize(size), output: posterFile },
          encode,
          audioBitrate: AUDIO_BITRATE,
          concurrency: deps.concurrency ?? 2,
          fallback: (segment) => fallbacks[segment] as SegmentVisual,
        }, { signal: ctx.signal, progress: (fraction, note) => ctx.progress(0.02 + 0.96 * fraction, note), warn });
      } catch (err) {
        audioJob.abort();
        await mixing.catch(() => undefined);
        throw err;
      } finally {
        ctx.signal.removeEventListener('abort', stopAudio);
      }
      const mixed = await mixing;
      const probe = await ffprobe(result.videoPath, ctx.signal);
      const videoDuration = Number(probe.format.duration);
      if (!(Math.abs(videoDuration - duration) <= MAX_DURATION_DRIFT_SEC)) {
        throw new FacelessError('MEDIA_FAILED', `the rendered video lasts ${videoDuration} s but the narration ${duration} s`);
      }
      deps.onRendered?.({ videoSec: videoDuration, wallSec: (performance.now() - renderStarted) / 1000, ...size });
      const videoKey = `${input.outputPrefix}video.mp4`;
      const posterKey = `${input.outputPrefix}poster.jpg`;
      await ctx.store.putFile(videoKey, result.videoPath, 'video/mp4');
      await ctx.store.putFile(posterKey, posterFile, 'image/jpeg');
      const srtKey = `${input.outputPrefix}captions.srt`;
      const vttKey = `${input.outputPrefix}captions.vtt`;
      await ctx.store.putBytes(srtKey, buildSrt(cues), 'application/x-subrip');
      await ctx.store.putBytes(vttKey, buildWebVtt(cues), 'text/vtt');
      ctx.progress(1, 'video stored');
      return {
        videoPath: videoKey,
        durationSec: videoDuration,
        width: size.width,
        height: size.height,
        visuals: result.visuals.map((v, segment) => ({ segment, kind: v.kind, source: v.source })),
        posterPath: posterKey,
        captionsSrtPath: srtKey,
        captionsVttPath: vttKey,
        credits: visualCredits(result.visuals),
        ...(mixed.music ? { music: { source: mixed.music.source, ...(mixed.music.mood ? { mood: mixed.music.mood } : {}) } } : {}),
        loudness: mixed.loudness,
      };
    },
  });
}
