import { constants } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  ASPECTS, CAPTION_POSITIONS, CAPTION_SCALE_LIMITS, CAPTION_SIZES, CAPTION_STYLES, DURATION_LIMITS, LANGUAGES, PipelineRequest, TOPIC_MAX_CHARS, VOICE_SPEED_LIMITS,
} from '@faceless/contracts';
import { cliCommand, parseCli, UsageError, type Parsed } from './cli-parse.ts';

export { UsageError };

export interface MakeOptions {
  request: PipelineRequest;
  outDir: string;
  fresh: boolean;
  /** Print the per-stage waterfall (wall time, share, slowest step) after the summary. */
  timings: boolean;
  scriptFile?: string;
  /** The YouTube channel of --publish (also the request's channel). */
  publishTo?: string;
}

const OPTION_OF_FIELD: Record<string, string> = {
  topic: '<topic>', lang: '--lang', durationSec: '--duration', aspect: '--aspect', voice: '--voice',
  mediaDir: '--media-dir', scriptText: '--script', channel: '--channel', captionStyle: '--captions',
  musicDir: '--music-dir', mood: '--mood', music: '--no-music', publish: '--publish', voiceSpeed: '--voice-speed',
  'captions.size': '--caption-size', 'captions.position': '--caption-position', 'captions.color': '--caption-color',
  'captions.highlightColor': '--caption-highlight', 'captions.outlineColor': '--caption-outline', 'captions.font': '--caption-font',
};

/** `faceless make`: its arguments, options and help, declared once. */
export function makeCli(): Command {
  return cliCommand('faceless make', 'Makes a video from a topic: keywords, script, voice-over, captioned video, thumbnails, metadata, a publish record and an A/B test, into one folder.')
    .usage('"<topic>" [options]')
    .argument('[topic...]', 'what the video is about, in quotes (optional with --script: its first heading)')
    .option('--lang <code>', `language of the script and voice: ${LANGUAGES.join(', ')} (default en)`)
    .option('--duration <time>', `target length: seconds (60), "90s", "2m" or "1:30"; ${DURATION_LIMITS.min}s to ${DURATION_LIMITS.max / 60}m (default 60)`)
    .option('--aspect <ratio>', `${ASPECTS.join(', ')} (default 9:16, a Short)`)
    .option('--voice <id>', 'voice of the speech provider (faceless voices lists them; default per language)')
    .option('--voice-speed <x>', `the voice's pace, ${VOICE_SPEED_LIMITS.min} to ${VOICE_SPEED_LIMITS.max} (default 1; ElevenLabs keeps 0.7–1.2); the script is sized for it, so the video keeps its --duration`)
    .option('--media-dir <dir>', 'your own images and clips to show, matched to sections by file name')
    .option('--script <file>', 'narrate your own text (Markdown; sections start at headings) instead of a generated script')
    .option('--captions <style>', `${CAPTION_STYLES.join(', ')} (default highlight: one short line, the spoken word coloured; block: two lines; single: one big word at a time)`)
    .option('--caption-size <s>', `${CAPTION_SIZES.join(', ')} or a scale from ${CAPTION_SCALE_LIMITS.min} to ${CAPTION_SCALE_LIMITS.max} (default medium)`)
    .option('--caption-position <p>', `${CAPTION_POSITIONS.join(', ')}, always inside a Short's safe area (default bottom; single: middle)`)
    .option('--caption-color <#RRGGBB>', 'colour of the words (default #FFFFFF)')
    .option('--caption-highlight <#RRGGBB>', 'colour of the spoken word (default yellow; block: green)')
    .option('--caption-outline <#RRGGBB>', 'colour of the outline (default #000000)')
    .option('--caption-font <font>', 'an installed font family ("DejaVu Sans") or a .ttf/.otf file (default Montserrat ExtraBold)')
    .option('--music-dir <dir>', 'your own background music (mp3, m4a, wav, flac, ogg), moods from file names or tags.json')
    .option('--mood <mood>', 'the music\'s mood, e.g. calm, upbeat, dramatic (default: any)')
    .option('--no-music', 'the voice alone, no background music (default: music under the voice)')
    .option('--out <dir>', 'where to write everything (default ./faceless-out/<topic>)')
    .option('--channel <name>', 'publishing channel (default local: a folder, see LOCAL_CHANNEL_DIR)')
    .option('--publish <name>', 'publish to this YouTube channel (added with faceless channels add) when the video is made')
    .option('--fresh', 'start over even if --out holds an unfinished run of another request')
    .option('--timings', 'at the end, how long each stage took, its share of the run and its slowest step (an ffmpeg or espeak-ng run)')
    .addHelpText('after', '\nRunning the same command again resumes an interrupted run at the first unfinished stage.');
}

/** The help of `faceless make`, as `faceless make --help` prints it. */
export const MAKE_USAGE = makeCli().helpInformation().trimEnd();

/** "60", "90s", "2m", "1:30" → seconds; NaN when it is none of these. */
export function parseDuration(text: string): number {
  const t = text.trim().toLowerCase();
  let m = /^(\d+(?:\.\d+)?)\s*s?$/.exec(t);
  if (m) return Number(m[1]);
  m = /^(\d+(?:\.\d+)?)\s*m(?:in)?$/.exec(t);
  if (m) return Number(m[1]) * 60;
  m = /^(\d+(?:\.\d+)?)\s*h$/.exec(t);
  if (m) return Number(m[1]) * 3600;
  m = /^(\d+):([0-5]\d)$/.exec(t);
  if (m) return Number(m[1]) * 60 + Number(m[2]);
  return Number.NaN;
}

export function slugify(text: string): string {
  const slug = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return slug || 'video';
}

/** Parses `faceless make` arguments and checks every option before any work starts. */
export async function parseMakeOptions(argv: readonly string[], cwd = process.cwd()): Promise<MakeOptions> {
  const parsed = parseCli(makeCli(), argv, () => {});
  if ('help' in parsed) throw new UsageError('--help', 'asks for the help, not a video: run faceless make --help');
  return makeOptionsFrom(parsed, cwd);
}

/** The options of a parsed `faceless make`, each checked, the folders and files read. */
export async function makeOptionsFrom(parsed: Parsed, cwd = process.cwd()): Promise<MakeOptions> {
  const positionals = (parsed.args[0] ?? []) as string[];
  const text = (name: string): string | undefined => (typeof parsed.values[name] === 'string' ? parsed.values[name] : undefined);
  const values = {
    lang: text('lang'), duration: text('duration'), aspect: text('aspect'), voice: text('voice'), 'voice-speed': text('voice-speed'),
    'media-dir': text('media-dir'), script: text('script'), out: text('out'), channel: text('channel'), publish: text('publish'),
    captions: text('captions'), 'music-dir': text('music-dir'), mood: text('mood'),
    'no-music': parsed.values['no-music'] === true, fresh: parsed.values.fresh === true, timings: parsed.values.timings === true,
  };
  if (positionals.length > 1) {
    throw new UsageError('<topic>', `got ${positionals.length} words outside quotes; put the topic in quotes: faceless make "${positionals.join(' ')}"`);
  }

  let scriptText: string | undefined;
  const scriptFile = values.script ? resolve(cwd, values.script) : undefined;
  if (scriptFile) {
    try {
      scriptText = await readFile(scriptFile, 'utf8');
    } catch (err) {
      throw new UsageError('--script', `cannot read ${scriptFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}): give a readable text or Markdown file`);
    }
    if (!scriptText.trim()) throw new UsageError('--script', `${scriptFile} is empty: write the narration in it, with # headings for sections`);
  }
  let topic = positionals[0];
  if (topic === undefined && scriptText) topic = /^\s*#+\s*(.+)$/m.exec(scriptText)?.[1] ?? scriptText.trim().split(/[.!?\n]/)[0];
  if (topic === undefined) throw new UsageError('<topic>', 'missing: say what the video is about, e.g. faceless make "how octopuses think"');
  if (topic.trim().length > TOPIC_MAX_CHARS) {
    throw new UsageError('<topic>', `is ${topic.trim().length} characters; the limit is ${TOPIC_MAX_CHARS}. Give a subject, not a script (use --script <file> to narrate your own text)`);
  }

  let durationSec: number | undefined;
  if (values.duration !== undefined) {
    const d = parseDuration(values.duration);
    if (!Number.isFinite(d)) throw new UsageError('--duration', `"${values.duration}" is not a duration: use seconds (60), "90s", "2m" or "1:30"`);
    if (d < DURATION_LIMITS.min || d > DURATION_LIMITS.max) {
      throw new UsageError('--duration', `${values.duration} is out of range: allowed ${DURATION_LIMITS.min} seconds to ${DURATION_LIMITS.max / 60} minutes`);
    }
    durationSec = Math.round(d);
  }
  if (values.lang !== undefined && !(LANGUAGES as readonly string[]).includes(values.lang)) {
    throw new UsageError('--lang', `"${values.lang}" is not supported: use one of ${LANGUAGES.join(', ')}`);
  }
  if (values.aspect !== undefined && !(ASPECTS as readonly string[]).includes(values.aspect)) {
    throw new UsageError('--aspect', `"${values.aspect}" is not supported: use one of ${ASPECTS.join(', ')} (9:16 for Shorts, 16:9 for regular videos)`);
  }

  if (values.publish !== undefined && values.channel !== undefined) {
    throw new UsageError('--publish', 'cannot be combined with --channel: --publish <name> already chooses the channel');
  }
  if (values.captions !== undefined && !(CAPTION_STYLES as readonly string[]).includes(values.captions)) {
    throw new UsageError('--captions', `"${values.captions}" is not a caption style: use one of ${CAPTION_STYLES.join(', ')}`);
  }
  if (values['no-music'] && (values['music-dir'] !== undefined || values.mood !== undefined)) {
    throw new UsageError('--no-music', `cannot be combined with ${values['music-dir'] !== undefined ? '--music-dir' : '--mood'}: drop one of them`);
  }
  const mediaDir = values['media-dir'] === undefined ? undefined
    : await readableDir(resolve(cwd, values['media-dir']), '--media-dir', 'images (jpg, png) and clips (mp4, mov)');
  const musicDir = values['music-dir'] === undefined ? undefined
    : await readableDir(resolve(cwd, values['music-dir']), '--music-dir', 'music files (mp3, m4a, wav, flac, ogg)');
  const captions = await captionOptions(parsed.values, cwd);
  const voiceSpeed = values['voice-speed'] === undefined ? undefined : parseVoiceSpeed(values['voice-speed']);

  const result = PipelineRequest.safeParse({
    topic,
    ...(values.lang !== undefined ? { lang: values.lang } : {}),
    ...(durationSec !== undefined ? { durationSec } : {}),
    ...(values.aspect !== undefined ? { aspect: values.aspect } : {}),
    ...(values.voice !== undefined ? { voice: values.voice } : {}),
    ...(voiceSpeed !== undefined ? { voiceSpeed } : {}),
    ...(mediaDir !== undefined ? { mediaDir } : {}),
    ...(scriptText !== undefined ? { scriptText } : {}),
    ...(values.channel !== undefined ? { channel: values.channel } : {}),
    ...(values.publish !== undefined ? { channel: values.publish } : {}),
    ...(values.captions !== undefined ? { captionStyle: values.captions } : {}),
    ...(musicDir !== undefined ? { musicDir } : {}),
    ...(values.mood !== undefined ? { mood: values.mood } : {}),
    ...(values['no-music'] ? { music: false } : {}),
    ...(captions ? { captions } : {}),
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = String(issue?.path[0] ?? 'topic');
    const nested = issue?.path.slice(0, 2).join('.') ?? field;
    throw new UsageError(OPTION_OF_FIELD[nested] ?? OPTION_OF_FIELD[field] ?? field, issue?.message ?? 'invalid');
  }

  const outDir = resolve(cwd, values.out ?? join('faceless-out', slugify(result.data.topic)));
  await assertWritableDir(outDir);
  return {
    request: result.data, outDir, fresh: values.fresh, timings: values.timings,
    ...(scriptFile ? { scriptFile } : {}),
    ...(values.publish !== undefined ? { publishTo: values.publish } : {}),
  };
}

/**
 * The --caption-* options as the request's `captions` (checked by its schema); a font that names a
 * file is made absolute and must exist, a family is left for the video-assembler to find.
 */
async function captionOptions(values: Parsed['values'], cwd: string): Promise<Record<string, unknown> | undefined> {
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const size = text('caption-size');
  let font = text('caption-font');
  if (font !== undefined && (/[\\/]/.test(font) || /\.(ttf|otf|ttc)$/i.test(font))) {
    font = resolve(cwd, font);
    const st = await stat(font).catch(() => undefined);
    if (!st?.isFile()) throw new UsageError('--caption-font', `${font} is not a file: give a .ttf or .otf file, or an installed family such as "DejaVu Sans" (fc-list : family lists them)`);
  }
  const options = {
    ...(size !== undefined ? { size: /^\d+(\.\d+)?$/.test(size.trim()) ? Number(size) : size } : {}),
    ...(text('caption-position') !== undefined ? { position: text('caption-position') } : {}),
    ...(text('caption-color') !== undefined ? { color: text('caption-color') } : {}),
    ...(text('caption-highlight') !== undefined ? { highlightColor: text('caption-highlight') } : {}),
    ...(text('caption-outline') !== undefined ? { outlineColor: text('caption-outline') } : {}),
    ...(font !== undefined ? { font } : {}),
  };
  return Object.keys(options).length > 0 ? options : undefined;
}

/** "1.2", "1.2x" or "120%" → 1.2, within VOICE_SPEED_LIMITS, else a usage error naming --voice-speed. */
export function parseVoiceSpeed(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(x|%)?\s*$/i.exec(text);
  const speed = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : Number.NaN;
  if (!Number.isFinite(speed)) throw new UsageError('--voice-speed', `"${text}" is not a speed: give a factor of the voice's normal pace such as 1.1 (or 110%)`);
  if (speed < VOICE_SPEED_LIMITS.min || speed > VOICE_SPEED_LIMITS.max) {
    throw new UsageError('--voice-speed', `${text} is out of range: allowed ${VOICE_SPEED_LIMITS.min} (half the normal pace) to ${VOICE_SPEED_LIMITS.max} (twice), 1 is normal`);
  }
  return speed;
}

/** The folder, checked to exist and be readable, else a usage error naming the option. */
async function readableDir(dir: string, option: string, holds: string): Promise<string> {
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new UsageError(option, `${dir} does not exist: give a folder of ${holds}`);
  if (!st.isDirectory()) throw new UsageError(option, `${dir} is a file, not a folder: give the folder that holds your ${holds}`);
  try {
    await access(dir, constants.R_OK | constants.X_OK);
  } catch {
    throw new UsageError(option, `${dir} cannot be read: check its permissions`);
  }
  return dir;
}

/** Creates the folder and proves a file can be written in it (access() alone is fooled when running as root). */
async function assertWritableDir(dir: string): Promise<void> {
  const probe = join(dir, `.faceless-write-test-${process.pid}`);
  try {
    await mkdirStepwise(dir);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError('--out', `${dir} cannot be written (${code}): choose a folder you can write to`);
  }
}

/** mkdir -p one level at a time: Node 20's recursive mkdir spins forever under /proc. */
async function mkdirStepwise(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  while (!(await stat(at).catch(() => undefined))) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const d of missing) await mkdir(d);
}
