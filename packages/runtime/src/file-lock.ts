import { open, rm, stat } from 'node:fs/promises';
import { FacelessError } from './errors.ts';
import { sleep } from './retry.ts';

export interface FileLockOptions {
  /** What the lock guards, for the error when it stays taken (e.g. "the quota ledger"). */
  what: string;
  /** A lock file older than this was left by a process that died holding it (default 10 s). */
  staleMs?: number;
  /** Give up after waiting this long for a live holder (default 30 s). */
  timeoutMs?: number;
}

/**
 * Runs `fn` holding `<path>.lock`, created exclusively, so that processes sharing a folder take
 * turns over a read-modify-write of a small file. Meant for critical sections of milliseconds: a lock
 * older than `staleMs` is taken over.
 */
export async function withFileLock<T>(path: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  const staleMs = options.staleMs ?? 10_000;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      await (await open(lock, 'wx', 0o600)).close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > staleMs) await rm(lock, { force: true });
      else if (Date.now() > deadline) throw new FacelessError('STORAGE_FAILED', `the lock ${lock} on ${options.what} is held for too long: delete it if no faceless process is running`);
      else await sleep(10 + Math.random() * 20);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
