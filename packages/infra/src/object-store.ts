import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

// The port itself lives in @faceless/runtime (stages are written against it); infra implements it.
export type { ObjectStore } from '@faceless/runtime';
import type { ObjectStore } from '@faceless/runtime';

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
