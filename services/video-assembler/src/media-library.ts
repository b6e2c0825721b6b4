import { stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { FacelessError } from '@faceless/runtime';
import { probeVisualArgs } from './ffmpeg-args.ts';
import { ffprobeOrReason, mapLimit, probeJsonOrReason, readTaggedFolder } from './tagged-folder.ts';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;
export const CLIP_EXTENSIONS = ['.mp4', '.mov', '.webm', '.mkv'] as const;
export { TAGS_FILE } from './tagged-folder.ts';

export interface MediaItem {
  name: string;
  path: string;
  kind: 'image' | 'clip';
  width: number;
  height: number;
  /** Seconds of a clip; 0 for an image. */
  durationSec: number;
  /** Words to match segments against: the file name's and the sidecar's tags. */
  tokens: string[];
}

export interface MediaScan {
  items: MediaItem[];
  /** One line per file that was skipped, naming it and why. */
  warnings: string[];
}

const SUPPORTED = `an image (${IMAGE_EXTENSIONS.join(', ')}) or a clip (${CLIP_EXTENSIONS.join(', ')})`;
/** Clips shorter than this are too short to loop without stutter. */
const MIN_CLIP_SEC = 0.3;
const PROBE_CONCURRENCY = 4;

const STOPWORDS = new Set([
  'the', 'and', 'for', 'with', 'from', 'that', 'this', 'your', 'you', 'are', 'how', 'why', 'what', 'into', 'its',
  'les', 'des', 'une', 'est', 'pour', 'dans', 'avec', 'sur', 'par', 'qui', 'que', 'aux', 'ces', 'son', 'ses',
  'img', 'image', 'photo', 'clip', 'video', 'final', 'copy', 'stock',
]);

/** Lower-case, accent-free words of at least three letters, without stopwords or digits-only runs. */
export function keywordTokens(text: string): string[] {
  const words = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
  return [...new Set(words)];
}

function tokenScore(want: string, have: string): number {
  if (want === have) return 1;
  const [short, long] = want.length <= have.length ? [want, have] : [have, want];
  return short.length >= 4 && long.startsWith(short) ? 0.75 : 0;
}

/** How well an item's tokens match a segment's keyword tokens. */
export function matchScore(itemTokens: readonly string[], wanted: readonly string[]): number {
  let score = 0;
  for (const want of wanted) score += Math.max(0, ...itemTokens.map((have) => tokenScore(want, have)));
  return score;
}

/** An item already used counts as this many keywords less, so that variety wins over weak matches. */
const REUSE_PENALTY = 1.5;

/** Whether item `item` may be shown in segment `segment` (a clip must last long enough). */
export type MediaFits = (item: number, segment: number) => boolean;

const everything: MediaFits = () => true;

function usesOf(itemCount: number, picks: readonly number[]): number[] {
  const uses = Array.from({ length: itemCount }, () => 0);
  for (const p of picks) if (p >= 0) uses[p] = (uses[p] ?? 0) + 1;
  return uses;
}

/**
 * Picks an item for each segment whose keywords match one, best match first, each taking its
 * best item that fits (a used item counts for less); -1 for the others.
 */
export function matchByKeyword(items: readonly { tokens: readonly string[] }[], wanted: readonly (readonly string[])[], fits: MediaFits = everything): number[] {
  const picks = wanted.map(() => -1);
  if (items.length === 0) return picks;
  const uses = usesOf(items.length, picks);
  const scores = wanted.map((tokens, segment) => items.map((item, i) => (fits(i, segment) ? matchScore(item.tokens, tokens) : 0)));
  const matching = scores
    .map((row, segment) => ({ segment, best: Math.max(...row) }))
    .filter((m) => m.best > 0)
    .sort((a, b) => b.best - a.best || a.segment - b.segment);
  for (const { segment } of matching) {
    const row = scores[segment] ?? [];
    let best = -1;
    let bestValue = 0;
    row.forEach((score, i) => {
      const value = score - REUSE_PENALTY * (uses[i] ?? 0);
      if (value > bestValue) {
        best = i;
        bestValue = value;
      }
    });
    if (best < 0) continue;
    picks[segment] = best;
    uses[best] = (uses[best] ?? 0) + 1;
  }
  return picks;
}

/**
 * Gives each open segment (pick -1, not skipped) one of the least-used items that fits, round-robin,
 * avoiding the item of the segment next to it; a segment nothing fits stays -1.
 */
export function fillRoundRobin(itemCount: number, picks: readonly number[], options: { fits?: MediaFits; skip?: (segment: number) => boolean } = {}): number[] {
  const fits = options.fits ?? everything;
  const filled = [...picks];
  if (itemCount === 0) return filled;
  const uses = usesOf(itemCount, filled);
  let cursor = 0;
  filled.forEach((pick, segment) => {
    if (pick >= 0 || options.skip?.(segment)) return;
    const order = Array.from({ length: itemCount }, (_, k) => (cursor + k) % itemCount).filter((i) => fits(i, segment));
    if (order.length === 0) return;
    const fewest = Math.min(...order.map((i) => uses[i] ?? 0));
    const neighbours = [filled[segment - 1], filled[segment + 1]];
    const candidates = order.filter((i) => uses[i] === fewest);
    const chosen = candidates.find((i) => !neighbours.includes(i)) ?? candidates[0] ?? 0;
    filled[segment] = chosen;
    uses[chosen] = (uses[chosen] ?? 0) + 1;
    cursor = (chosen + 1) % itemCount;
  });
  return filled;
}

/**
 * Picks an item index for each segment. Segments whose keywords match something go first, best
 * match first, each taking its best item (a used item counts for less). The others go
 * round-robin over the least-used items, avoiding the picture of the segment next to them.
 * A segment no item fits gets -1.
 */
export function matchMedia(items: readonly { tokens: readonly string[] }[], wanted: readonly (readonly string[])[], fits: MediaFits = everything): number[] {
  if (items.length === 0) return [];
  return fillRoundRobin(items.length, matchByKeyword(items, wanted, fits), { fits });
}

interface ProbeJson {
  streams?: { codec_name?: string; width?: number; height?: number; nb_read_frames?: string }[];
  format?: { duration?: string };
}

export interface MediaProbe {
  width: number;
  height: number;
  /** Seconds of a clip (0 for a still image). */
  durationSec: number;
}

/**
 * Probes a picture file: its first frame must decode, and for a clip (`kind: 'clip'`) every packet
 * must be readable to the end, which catches a file cut short after a valid header (a truncated
 * download). Resolves with a string saying why the file cannot be used.
 */
export async function probeMedia(path: string, options: { kind: 'image' | 'clip'; signal?: AbortSignal }): Promise<MediaProbe | string> {
  const run = (args: string[]) => ffprobeOrReason(args, { signal: options.signal, unreadable: (detail) => `ffprobe cannot read it (${detail})` });
  const out = await run(probeVisualArgs(path));
  if (typeof out === 'string') return out;
  const json = probeJsonOrReason<ProbeJson>(out.stdout);
  if (typeof json === 'string') return json;
  const stream = json.streams?.[0];
  if (!stream) return 'it has no picture';
  const decodeError = out.stderr.trim().split('\n')[0];
  if (!stream.width || !stream.height || Number(stream.nb_read_frames ?? 0) < 1 || decodeError) {
    return `it is corrupt or truncated${decodeError ? ` (${decodeError.trim()})` : ''}`;
  }
  const probe = { width: stream.width, height: stream.height, durationSec: Number(json.format?.duration ?? 0) || 0 };
  if (options.kind === 'image') return probe;
  // Demuxing every packet (no decoding) is cheap and reports "partial file" when data is missing.
  const packets = await run(['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'json', path]);
  if (typeof packets === 'string') return packets;
  const packetError = packets.stderr.trim().split('\n').slice(-1)[0]?.trim();
  if (packetError) return `it is corrupt or truncated (${packetError})`;
  return probe;
}

/**
 * Lists the usable images and clips of a folder (not recursive), probing each with ffprobe;
 * anything else is skipped with a warning naming the file. Hidden files are ignored.
 */
export async function scanMediaDir(dir: string, options: { signal?: AbortSignal } = {}): Promise<MediaScan> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new FacelessError('INVALID_INPUT', `mediaDir "${dir}" ${info ? 'is not a folder' : 'does not exist'}: give a folder of images (jpg, png, webp) and clips (mp4, mov, webm, mkv), or leave mediaDir out for generated backgrounds`, { field: 'mediaDir' });
  }
  const { files, tags, warnings } = await readTaggedFolder(root);
  const candidates: { name: string; kind: 'image' | 'clip' }[] = [];
  for (const name of files) {
    const ext = extname(name).toLowerCase();
    if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) candidates.push({ name, kind: 'image' });
    else if ((CLIP_EXTENSIONS as readonly string[]).includes(ext)) candidates.push({ name, kind: 'clip' });
    else warnings.push(`skipped "${name}": not ${SUPPORTED}`);
  }
  const probed = await mapLimit(candidates, PROBE_CONCURRENCY, (c) => probeMedia(join(root, c.name), { kind: c.kind, ...(options.signal ? { signal: options.signal } : {}) }));
  const items: MediaItem[] = [];
  candidates.forEach((c, i) => {
    const result = probed[i];
    if (result === undefined) return;
    if (typeof result === 'string') {
      warnings.push(`skipped "${c.name}": ${result}`);
      return;
    }
    if (c.kind === 'clip' && result.durationSec < MIN_CLIP_SEC) {
      warnings.push(`skipped "${c.name}": the clip is shorter than ${MIN_CLIP_SEC} s`);
      return;
    }
    const stem = c.name.slice(0, c.name.length - extname(c.name).length);
    items.push({
      name: c.name,
      path: join(root, c.name),
      kind: c.kind,
      width: result.width,
      height: result.height,
      durationSec: c.kind === 'clip' ? result.durationSec : 0,
      tokens: keywordTokens([stem, ...(tags.get(c.name) ?? [])].join(' ')),
    });
  });
  return { items, warnings };
}
