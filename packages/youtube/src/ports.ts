/**
 * A valid OAuth access token for one channel. The API client asks before each call and calls
 * `invalidate()` after a 401, so that the next `token()` refreshes instead of reusing a dead token.
 */
export interface AccessTokenSource {
  token(signal?: AbortSignal): Promise<string>;
  invalidate(): void;
}

/** Where a resumable upload's session URI is kept, so that a crash can resume it instead of uploading twice. */
export interface UploadSessionStore {
  load(): Promise<UploadSession | undefined>;
  save(session: UploadSession): Promise<void>;
  clear(): Promise<void>;
}

export interface UploadSession {
  /** The session URI from the `Location` header of the initiating POST. */
  uri: string;
  /** Bytes of the file this session uploads, and its sha256, so a session is never reused for another file. */
  totalBytes: number;
  sha256: string;
  createdAt: string;
}
