import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';
import type { PipelineRequest } from '@faceless/contracts';
import { FacelessError } from '@faceless/runtime';

/** The request fields that name a folder on the server. */
export const SERVER_PATH_FIELDS = ['mediaDir', 'musicDir'] as const;

/** MEDIA_ROOTS: comma-separated absolute folders; unset or blank → none. */
export function parseMediaRoots(raw: string | undefined): string[] {
  const roots = (raw ?? '').split(',').map((r) => r.trim()).filter(Boolean);
  const relativeOnes = roots.filter((r) => !isAbsolute(r));
  if (relativeOnes.length > 0) {
    throw new FacelessError('INVALID_OPTION', `MEDIA_ROOTS must list absolute folders, comma-separated: "${relativeOnes.join('", "')}" is relative (write it from /)`, { field: 'MEDIA_ROOTS' });
  }
  return roots;
}

function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The folder's real path (no `..`, no symlinks), or undefined when it is not an existing folder. */
async function resolved(path: string): Promise<string | undefined> {
  try {
    const real = await realpath(path);
    return (await stat(real)).isDirectory() ? real : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A pipeline request from the API may name server folders only inside the configured roots: each
 * of mediaDir/musicDir is resolved (`..`, symlinks) and must be a root or inside one. Returns the
 * request with the resolved folders; refuses with INVALID_INPUT naming the field otherwise.
 * `faceless make` does not come through here: on your own machine any folder is yours to name.
 */
export async function confineServerPaths(request: PipelineRequest, roots: readonly string[]): Promise<PipelineRequest> {
  let out = request;
  for (const field of SERVER_PATH_FIELDS) {
    const value = request[field];
    if (value === undefined) continue;
    if (roots.length === 0) {
      throw new FacelessError('INVALID_INPUT', `${field} names a folder on the server, and this server allows none: set MEDIA_ROOTS on the server to the absolute folders (comma-separated) it may read media from and name one inside them, or leave ${field} out`, { field });
    }
    const real = isAbsolute(value) ? await resolved(value) : undefined;
    const realRoots = (await Promise.all(roots.map(resolved))).filter((r): r is string => r !== undefined);
    if (!real || !realRoots.some((root) => inside(real, root))) {
      // One answer for missing and outside alike, and no root named: the API must not tell what exists where.
      throw new FacelessError('INVALID_INPUT', `${field} "${value.slice(0, 200)}" is not an existing folder inside the server's MEDIA_ROOTS: name an absolute folder inside one of them, or add it to MEDIA_ROOTS on the server`, { field });
    }
    out = { ...out, [field]: real };
  }
  return out;
}
