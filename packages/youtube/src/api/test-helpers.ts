import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessTokenSource, UploadSession, UploadSessionStore } from '../ports.ts';
import type { FakeYouTube } from '../testing/fake-youtube.ts';

/** Test-only helpers shared by the api tests (not exported from the package). */

export interface CountingTokens extends AccessTokenSource {
  handedOut: string[];
  invalidations: number;
}

/** Hands out `tok-1`, and `tok-2`, `tok-3`… after each invalidate(). */
export function countingTokens(): CountingTokens {
  let n = 1;
  const source: CountingTokens = {
    handedOut: [],
    invalidations: 0,
    token: () => {
      const t = `tok-${n}-secretvalue`;
      source.handedOut.push(t);
      return Promise.resolve(t);
    },
    invalidate: () => {
      source.invalidations++;
      n++;
    },
  };
  return source;
}

export interface RecordingStore extends UploadSessionStore {
  current: UploadSession | undefined;
  /** Each save, with how many upload PUTs the fake had seen at that moment. */
  saves: { session: UploadSession; putsBefore: number }[];
  clears: number;
}

export function recordingStore(fake: FakeYouTube | undefined, initial?: UploadSession): RecordingStore {
  const store: RecordingStore = {
    current: initial,
    saves: [],
    clears: 0,
    load: () => Promise.resolve(store.current),
    save: (session) => {
      store.current = session;
      store.saves.push({ session, putsBefore: fake?.requests.filter((r) => r.method === 'PUT').length ?? 0 });
      return Promise.resolve();
    },
    clear: () => {
      store.current = undefined;
      store.clears++;
      return Promise.resolve();
    },
  };
  return store;
}

export interface TestFile {
  path: string;
  bytes: number;
  sha256: string;
  dir: string;
  remove(): Promise<void>;
}

/** A file of random bytes (a few MB), so that a wrong offset cannot go unnoticed in the sha256. */
export async function randomFile(bytes: number, name = 'video.mp4'): Promise<TestFile> {
  const dir = await mkdtemp(join(tmpdir(), 'faceless-yt-'));
  const path = join(dir, name);
  const data = randomBytes(bytes);
  await writeFile(path, data);
  return { path, bytes, dir, sha256: createHash('sha256').update(data).digest('hex'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A sleep that returns at once and remembers the delays asked for. */
export function instantSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: (ms) => { delays.push(ms); return Promise.resolve(); } };
}
