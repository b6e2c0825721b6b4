import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

export interface AtomicWriteOptions {
  /** Permissions of a new file (default 0o666, less the umask, as writeFile); 0o600 for secrets. */
  mode?: number;
  /** fsync before the rename, for files that must survive a power cut (tokens, quota). */
  sync?: boolean;
}

/**
 * Writes a file whole or not at all: into a temporary file beside it (unique per write, so that
 * concurrent writers never share one), then renamed over it. A reader, or a process killed
 * mid-write, sees the old content or the new, never half of it. The temporary file is removed on
 * failure and the error passed on.
 */
export async function writeFileAtomic(path: string, data: string, options: AtomicWriteOptions = {}): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(tmp, 'wx', options.mode ?? 0o666);
    try {
      await handle.writeFile(data, 'utf8');
      if (options.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
