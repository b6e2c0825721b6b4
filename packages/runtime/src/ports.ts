// The ports stages are written against; @faceless/infra implements them (folder and S3 stores,
// PGlite and PostgreSQL), so that this package does not depend on infra.

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

/** Statements on one connection: the whole database, or one transaction of it. */
export interface SqlSession {
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs several statements at once (migrations); no parameters. */
  exec(sql: string): Promise<void>;
}

/**
 * Every durable state (experiments, channels, quota, slots, publications): the same statements run on PGlite
 * (embedded) and PostgreSQL (services mode), so that replicas share it and lock in the database, not in files.
 */
export interface Database extends SqlSession {
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws.
   * Inside, use only `tx` (on PGlite the database waits for the transaction, so a call on it would never return).
   */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
