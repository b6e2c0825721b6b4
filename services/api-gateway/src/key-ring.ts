import { readFileSync, statSync } from 'node:fs';
import type { Logger } from '@faceless/runtime';
import { createKeyVerifier, parseApiKeysFile, type ApiKeyRecord } from './api-keys.ts';

export interface KeyRingOptions {
  /** Every key configured at start (API_KEYS and the keys file). */
  keys: readonly ApiKeyRecord[];
  /** Ids of those that came from API_KEYS: fixed for the process's life. */
  envKeyIds: readonly string[];
  /** The keys file `faceless keys` writes (API_KEYS_FILE or the data folder's api-keys.json); re-read when it changes. */
  file?: string;
  logger: Logger;
  /** How often the file's modification time is looked at, at most. */
  recheckMs?: number;
  now?: () => number;
}

/**
 * The keys the gateway accepts: API_KEYS plus the keys file, which is read again when it changes, so that
 * `faceless keys create` and `faceless keys revoke` take effect without a restart. A file that turns
 * unreadable or invalid keeps the last good keys and logs why (revocations are written atomically, so a
 * half-written file is not expected); a file that disappears takes its keys with it.
 */
export class KeyRing {
  private readonly fixed: ApiKeyRecord[];
  private fileKeys: ApiKeyRecord[];
  private verifyAll: (presented: string) => ApiKeyRecord | undefined;
  private fileStamp = '';
  private checkedAt = Number.NEGATIVE_INFINITY;
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(private readonly options: KeyRingOptions) {
    this.recheckMs = options.recheckMs ?? 1000;
    this.now = options.now ?? Date.now;
    const envIds = new Set(options.envKeyIds);
    this.fixed = options.keys.filter((k) => envIds.has(k.id));
    this.fileKeys = options.keys.filter((k) => !envIds.has(k.id));
    this.verifyAll = createKeyVerifier(options.keys);
    // The file as it is now is what the start-up keys were read from: only a later change is read again.
    this.fileStamp = this.stamp();
    this.checkedAt = this.now();
  }

  /** The record of a presented key, or undefined; constant-time over the stored digests. */
  verify(presented: string): ApiKeyRecord | undefined {
    this.refresh();
    return this.verifyAll(presented);
  }

  /** How many keys are accepted now. */
  get size(): number {
    this.refresh();
    return this.fixed.length + this.fileKeys.length;
  }

  private refresh(): void {
    const file = this.options.file;
    if (!file || this.now() - this.checkedAt < this.recheckMs) return;
    this.checkedAt = this.now();
    const stamp = this.stamp();
    if (stamp === this.fileStamp) return;
    this.fileStamp = stamp;
    if (stamp === 'absent') {
      this.setFileKeys([]);
      return;
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      this.options.logger.error('keys file unreadable: keeping the keys read before', { file, error: (err as Error).message });
      return;
    }
    const { records, problems } = parseApiKeysFile(text, file);
    if (problems.length > 0) {
      this.options.logger.error('keys file invalid: keeping the keys read before', { file, problems });
      return;
    }
    this.setFileKeys(records);
  }

  private stamp(): string {
    if (!this.options.file) return 'absent';
    try {
      const stat = statSync(this.options.file);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return 'absent';
    }
  }

  private setFileKeys(records: ApiKeyRecord[]): void {
    const fixedIds = new Set(this.fixed.map((r) => r.id));
    this.fileKeys = records.filter((r) => !fixedIds.has(r.id));
    this.verifyAll = createKeyVerifier([...this.fixed, ...this.fileKeys]);
  }
}
