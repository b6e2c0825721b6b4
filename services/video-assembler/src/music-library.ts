import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { FacelessError, runProcess, seededRandom } from '@faceless/runtime';
import { canonicalMood, generateMusicBed } from './generated-music.ts';
import { ffprobeOrReason, mapLimit, probeJsonOrReason, readTaggedFolder } from './tagged-folder.ts';

export const MUSIC_EXTENSIONS = ['.mp3', '.m4a', '.aac', '.wav', '.flac', '.ogg', '.opus'] as const;
/** Tracks shorter than this loop too audibly under a narration. */
const MIN_TRACK_SEC = 5;
const PROBE_CONCURRENCY = 4;

export interface MusicTrack {
  name: string;
  path: string;
  durationSec: number;
  /** Lower-case tags from tags.json and mood words from the file name. */
  moods: string[];
}

export interface MusicScan {
  tracks: MusicTrack[];
  /** One line per file that was skipped, naming it and why. */
  warnings: string[];
}

/** Mood words of a file name ("calm - piano 01.mp3" → calm, piano): only words of the mood vocabulary count. */
export function moodsFromName(name: string): string[] {
  const stem = name.slice(0, name.length - extname(name).length);
  const words = stem.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().split(/[^\p{L}]+/u);
  return [...new Set(words.filter((w) => canonicalMood(w) !== undefined))];
}

/** Tags from tags.json as moods: trimmed, lower case. */
function moodsOf(tags: readonly string[] | undefined): string[] {
  return (tags ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean);
}

/** ffprobe of the first audio stream, decoding a few packets to catch corrupt files. */
export function probeAudioArgs(path: string): string[] {
  return [
    '-v', 'error',
    '-select_streams', 'a:0',
    '-count_packets', '-read_intervals', '%+#20',
    '-show_entries', 'stream=codec_name,channels,nb_read_packets:format=format_name,duration',
    '-of', 'json',
    path,
  ];
}

interface ProbeJson {
  streams?: { codec_name?: string; channels?: number; nb_read_packets?: string }[];
  format?: { duration?: string };
}

/** Probes one file; a string is the reason it cannot be used. */
async function probeTrack(path: string, signal?: AbortSignal): Promise<number | string> {
  const out = await ffprobeOrReason(probeAudioArgs(path), { signal, unreadable: (detail) => `it is not audio ffprobe can read (${detail})` });
  if (typeof out === 'string') return out;
  const json = probeJsonOrReason<ProbeJson>(out.stdout);
  if (typeof json === 'string') return json;
  const stream = json.streams?.[0];
  if (!stream) return 'it has no audio stream';
  if (Number(stream.nb_read_packets ?? 0) < 1 || !stream.channels) return 'it is empty or corrupt (no audio could be read)';
  const duration = Number(json.format?.duration ?? 0);
  if (!(duration >= MIN_TRACK_SEC)) return `it lasts ${duration || 0} s, less than ${MIN_TRACK_SEC} s`;
  return duration;
}

/**
 * Lists the usable audio files of a folder (not recursive), probing each with ffprobe; anything
 * else is skipped with a warning naming the file. A missing folder is an empty scan with a warning.
 */
export async function scanMusicDir(dir: string, options: { signal?: AbortSignal } = {}): Promise<MusicScan> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) return { tracks: [], warnings: [`music folder "${dir}" ${info ? 'is not a folder' : 'does not exist'}`] };
  const { files, tags, warnings } = await readTaggedFolder(root, ' in the music folder');
  const candidates: string[] = [];
  for (const name of files) {
    if ((MUSIC_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) candidates.push(name);
    else warnings.push(`skipped music file "${name}": not audio (${MUSIC_EXTENSIONS.join(', ')})`);
  }
  const probed = await mapLimit(candidates, PROBE_CONCURRENCY, (name) => probeTrack(join(root, name), options.signal));
  const tracks: MusicTrack[] = [];
  candidates.forEach((name, i) => {
    const result = probed[i];
    if (typeof result === 'string') {
      warnings.push(`skipped music file "${name}": ${result}`);
      return;
    }
    if (result === undefined) return;
    tracks.push({ name, path: join(root, name), durationSec: result, moods: [...new Set([...moodsOf(tags.get(name)), ...moodsFromName(name)])] });
  });
  return { tracks, warnings };
}

/** Whether a track suits a mood: the same tag, or a tag that means the same mood ("chill" for "calm"). */
export function trackMatches(track: Pick<MusicTrack, 'moods'>, mood: string): boolean {
  const want = mood.trim().toLowerCase();
  const wantCanonical = canonicalMood(want);
  return track.moods.some((m) => m === want || (wantCanonical !== undefined && canonicalMood(m) === wantCanonical));
}

/** A 32-bit seed from any text (FNV-1a), e.g. the narration's words, so that one video always gets the same music. */
export function seedFromText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Picks a track for a mood (any track when none matches or no mood is asked), the same one for the same seed. */
export function pickTrack(tracks: readonly MusicTrack[], mood: string | undefined, seed: number): { track: MusicTrack; matched: boolean } | undefined {
  if (tracks.length === 0) return undefined;
  const matching = mood ? tracks.filter((t) => trackMatches(t, mood)) : [];
  const pool = matching.length > 0 ? matching : tracks;
  const track = pool[Math.floor(seededRandom(seed)() * pool.length)] as MusicTrack;
  return { track, matched: matching.length > 0 };
}

/** Decodes the part of a track that will play; a string is the decoder's complaint. */
async function decodeCheck(path: string, durationSec: number, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const { stderr } = await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-nostats', '-v', 'error', '-t', durationSec.toFixed(3), '-i', path, '-vn', '-f', 'null', '-'], signal ? { signal } : {});
    const first = stderr.trim().split('\n')[0];
    return first ? first.trim() : undefined;
  } catch (err) {
    if (err instanceof FacelessError && (err.code === 'CANCELLED' || err.code === 'MISSING_DEPENDENCY')) throw err;
    return err instanceof Error ? err.message.split('\n').slice(-1)[0] ?? 'decoding failed' : String(err);
  }
}

export interface MusicChoice {
  /** Local path of the music to mix. */
  path: string;
  /** A file name from the folder, or "generated:<mood>". */
  source: string;
  mood?: string;
}

/**
 * The music for one video: a track of the folder for the mood when there is a usable one, else a
 * generated bed of the narration's length (written into workDir). Every fallback is warned about.
 */
export async function chooseMusic(options: {
  musicDir: string | undefined;
  mood: string | undefined;
  seed: number;
  durationSec: number;
  workDir: string;
  signal: AbortSignal;
  warn: (message: string) => void;
}): Promise<MusicChoice> {
  const { mood, warn, signal } = options;
  if (options.musicDir) {
    const scan = await scanMusicDir(options.musicDir, { signal });
    scan.warnings.forEach((w) => warn(w));
    let tracks = scan.tracks;
    while (tracks.length > 0) {
      const picked = pickTrack(tracks, mood, options.seed);
      if (!picked) break;
      const problem = await decodeCheck(picked.track.path, options.durationSec, signal);
      if (problem) {
        warn(`skipped music file "${picked.track.name}": it does not decode cleanly (${problem})`);
        tracks = tracks.filter((t) => t !== picked.track);
        continue;
      }
      if (mood && !picked.matched) warn(`no music in "${options.musicDir}" is tagged "${mood}": playing "${picked.track.name}"`);
      const trackMood = mood && picked.matched ? mood : picked.track.moods[0];
      return { path: picked.track.path, source: picked.track.name, ...(trackMood ? { mood: trackMood } : {}) };
    }
    warn(`no usable music in "${options.musicDir}": playing a generated bed instead`);
  }
  const bed = await generateMusicBed({
    output: join(options.workDir, 'music-bed.wav'),
    durationSec: options.durationSec,
    seed: options.seed,
    signal,
    warn,
    ...(mood ? { mood } : {}),
  });
  return { path: bed.path, source: bed.source, mood: bed.mood };
}
