import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

/**
 * Where artifacts live, addressed by key ("pipelines/abc/video.mp4"), so that stages on
 * different machines hand each other references rather than bytes.
 */
export interface ObjectStore {
  putFile(key: string, localPath: string, contentType?: string): Promise<void>;
  putBytes(key: string, bytes: Uint8Array | string, contentType?: string): Promise<void>;
  /** Copies the object to a local file (a no-op copy where the store is already local). */
  getFile(key: string, localPath: string): Promise<void>;
  getBytes(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  size(key: string): Promise<number>;
  delete(key: string): Promise<void>;
  /** A local path for the key when the store is a folder; lets a local run skip copies. */
  localPath?(key: string): string;
  /** Human-readable location of a key, for summaries. */
  describe(key: string): string;
  readStream?(key: string): NodeJS.ReadableStream;
  /** A short-lived GET URL for the object, where the store can make one (S3). */
  signedUrl?(key: string, expiresSec?: number): Promise<string>;
}

/** Rejects keys that could escape the store's root. */
export function assertSafeKey(key: string): void {
  if (!key || isAbsolute(key) || key.includes('\0') || normalize(key).split(sep).includes('..')) {
    throw new Error(`object key "${key}" is not a safe relative key`);
  }
}

/** The embedded default: objects are files under one folder. */
export class FolderStore implements ObjectStore {
  constructor(readonly root: string) {}

  localPath(key: string): string {
    assertSafeKey(key);
    return join(this.root, key);
  }

  describe(key: string): string {
    return this.localPath(key);
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const dest = this.localPath(key);
    if (dest === localPath) return;
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.part`;
    await copyFile(localPath, tmp);
    await rename(tmp, dest);
  }

  async putBytes(key: string, bytes: Uint8Array | string): Promise<void> {
    const dest = this.localPath(key);
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.part`;
    await writeFile(tmp, bytes);
    await rename(tmp, dest);
  }

  async getFile(key: string, localPath: string): Promise<void> {
    const src = this.localPath(key);
    if (src === localPath) return;
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(src, localPath);
  }

  getBytes(key: string): Promise<Buffer> {
    return readFile(this.localPath(key));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.localPath(key));
      return true;
    } catch {
      return false;
    }
  }

  async size(key: string): Promise<number> {
    return (await stat(this.localPath(key))).size;
  }

  async delete(key: string): Promise<void> {
    await rm(this.localPath(key), { force: true });
  }

  readStream(key: string): NodeJS.ReadableStream {
    return createReadStream(this.localPath(key));
  }
}
