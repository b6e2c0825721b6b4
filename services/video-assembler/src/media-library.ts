import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { FacelessError, runProcess } from '@faceless/runtime';
import { probeVisualArgs } from './ffmpeg-args.ts';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp'] as const;
export const CLIP_EXTENSIONS = ['.mp4', '.mov', '.webm', '.mkv'] as const;
/** Optional sidecar: { "file name": ["tag", …] or "tag, tag" }. */
export const TAGS_FILE = 'tags.json';

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

/**
 * Picks an item index for each segment. Segments whose keywords match something go first, best
 * match first, each taking its best item (a used item counts for less). The others go
 * round-robin over the least-used items, avoiding the picture of the segment next to them.
 */
export function matchMedia(items: readonly { tokens: readonly string[] }[], wanted: readonly (readonly string[])[]): number[] {
  if (items.length === 0) return [];
  const uses = items.map(() => 0);
  const picks = wanted.map(() => -1);
  const scores = wanted.map((tokens) => items.map((item) => matchScore(item.tokens, tokens)));
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
  let cursor = 0;
  picks.forEach((pick, segment) => {
    if (pick >= 0) return;
    const fewest = Math.min(...uses);
    const neighbours = [picks[segment - 1], picks[segment + 1]];
    const order = items.map((_, k) => (cursor + k) % items.length);
    const candidates = order.filter((i) => uses[i] === fewest);
    const chosen = candidates.find((i) => !neighbours.includes(i)) ?? candidates[0] ?? 0;
    picks[segment] = chosen;
    uses[chosen] = (uses[chosen] ?? 0) + 1;
    cursor = (chosen + 1) % items.length;
  });
  return picks;
}

function parseTags(raw: string): Map<string, string[]> {
  const data: unknown = JSON.parse(raw);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('expected an object of file name → tags');
  const tags = new Map<string, string[]>();
  for (const [file, value] of Object.entries(data)) {
    if (Array.isArray(value)) tags.set(file, value.filter((v): v is string => typeof v === 'string'));
    else if (typeof value === 'string') tags.set(file, value.split(','));
  }
  return tags;
}

interface ProbeJson {
  streams?: { codec_name?: string; width?: number; height?: number; nb_read_frames?: string }[];
  format?: { duration?: string };
}

/** Probes one file; a string is the reason it cannot be used. */
async function probeItem(path: string, signal?: AbortSignal): Promise<{ width: number; height: number; durationSec: number } | string> {
  let out: { stdout: string; stderr: string };
  try {
    out = await runProcess('ffprobe', probeVisualArgs(path), signal ? { signal } : {});
  } catch (err) {
    if (err instanceof FacelessError && (err.code === 'CANCELLED' || err.code === 'MISSING_DEPENDENCY')) throw err;
    const detail = err instanceof Error ? err.message.split('\n').slice(-1)[0] : String(err);
    return `ffprobe cannot read it (${detail})`;
  }
  let json: ProbeJson;
  try {
    json = JSON.parse(out.stdout) as ProbeJson;
  } catch {
    return 'ffprobe gave no readable description';
  }
  const stream = json.streams?.[0];
  if (!stream) return 'it has no picture';
  const decodeError = out.stderr.trim().split('\n')[0];
  if (!stream.width || !stream.height || Number(stream.nb_read_frames ?? 0) < 1 || decodeError) {
    return `it is corrupt or truncated${decodeError ? ` (${decodeError.trim()})` : ''}`;
  }
  return { width: stream.width, height: stream.height, durationSec: Number(json.format?.duration ?? 0) || 0 };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
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
  const warnings: string[] = [];
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  let tags = new Map<string, string[]>();
  if (entries.some((e) => e.name === TAGS_FILE)) {
    try {
      tags = parseTags(await readFile(join(root, TAGS_FILE), 'utf8'));
    } catch (err) {
      warnings.push(`ignored "${TAGS_FILE}": ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const candidates: { name: string; kind: 'image' | 'clip' }[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === TAGS_FILE || !entry.isFile()) continue;
    const ext = extname(entry.name).toLowerCase();
    if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) candidates.push({ name: entry.name, kind: 'image' });
    else if ((CLIP_EXTENSIONS as readonly string[]).includes(ext)) candidates.push({ name: entry.name, kind: 'clip' });
    else warnings.push(`skipped "${entry.name}": not ${SUPPORTED}`);
  }
  const probed = await mapLimit(candidates, PROBE_CONCURRENCY, (c) => probeItem(join(root, c.name), options.signal));
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
