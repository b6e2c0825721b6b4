import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FacelessError, runProcess } from '@faceless/runtime';

/** The sidecar of a media or music folder: `{ "file.ext": ["tag", …] }` (or `"tag, tag"`). */
export const TAGS_FILE = 'tags.json';

export interface TaggedFolder {
  /** Visible regular files, sorted by name, without the tags file. */
  files: string[];
  /** Tags by file name, as written (the caller normalises them). */
  tags: Map<string, string[]>;
  warnings: string[];
}

export function parseTags(raw: string): Map<string, string[]> {
  const data: unknown = JSON.parse(raw);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('expected an object of file name → tags');
  const tags = new Map<string, string[]>();
  for (const [file, value] of Object.entries(data)) {
    if (Array.isArray(value)) tags.set(file, value.filter((v): v is string => typeof v === 'string'));
    else if (typeof value === 'string') tags.set(file, value.split(','));
  }
  return tags;
}

/** Lists a folder's files and reads its tags file; a bad tags file is a warning (`where` says which folder), not an error. */
export async function readTaggedFolder(root: string, where = ''): Promise<TaggedFolder> {
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  const warnings: string[] = [];
  let tags = new Map<string, string[]>();
  if (entries.some((e) => e.name === TAGS_FILE)) {
    try {
      tags = parseTags(await readFile(join(root, TAGS_FILE), 'utf8'));
    } catch (err) {
      warnings.push(`ignored "${TAGS_FILE}"${where}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === TAGS_FILE) continue;
    if (e.isFile()) files.push(e.name);
    else if (e.isSymbolicLink()) {
      // A folder of links into a footage library is common: a link to a file counts as that file.
      const target = await stat(join(root, e.name)).catch(() => undefined);
      if (target?.isFile()) files.push(e.name);
      else if (!target) warnings.push(`skipped "${e.name}"${where}: the link points to nothing (fix or remove the link)`);
    }
  }
  return { files, tags, warnings };
}

/** `fn` over the items, at most `limit` at a time (each probe is an ffprobe process), results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
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
 * Runs ffprobe on one file of such a folder: its output, or why the file cannot be used (worded by
 * `unreadable` from ffprobe's last error line). Cancelling and a missing ffprobe still throw.
 */
export async function ffprobeOrReason(args: string[], options: { signal?: AbortSignal | undefined; unreadable: (detail: string) => string }): Promise<{ stdout: string; stderr: string } | string> {
  try {
    return await runProcess('ffprobe', args, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    if (err instanceof FacelessError && (err.code === 'CANCELLED' || err.code === 'MISSING_DEPENDENCY')) throw err;
    return options.unreadable(err instanceof Error ? (err.message.trim().split('\n').slice(-1)[0] ?? '') : String(err));
  }
}

/** ffprobe's `-of json` output, or the reason it is not usable. */
export function probeJsonOrReason<T>(stdout: string): T | string {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    return 'ffprobe gave no readable description';
  }
}
