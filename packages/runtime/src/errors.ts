import type { ErrorCodeName } from '@faceless/contracts';

/** Every error code faceless raises; docs/errors.md explains each with its fix. */
export const ERROR_CODES = {
  INVALID_INPUT: { status: 400, retryable: false },
  INVALID_OPTION: { status: 400, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  CONFLICT: { status: 409, retryable: false },
  MISSING_DEPENDENCY: { status: 500, retryable: false },
  PROVIDER_AUTH: { status: 502, retryable: false },
  PROVIDER_RATE_LIMITED: { status: 503, retryable: true },
  PROVIDER_UNAVAILABLE: { status: 503, retryable: true },
  PROVIDER_BAD_RESPONSE: { status: 502, retryable: false },
  MEDIA_FAILED: { status: 500, retryable: false },
  STORAGE_FAILED: { status: 503, retryable: true },
  LIMIT_EXCEEDED: { status: 422, retryable: false },
  CANCELLED: { status: 499, retryable: false },
  INTERNAL: { status: 500, retryable: false },
  UNAUTHORIZED: { status: 401, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  /** A stage service did not answer (down, timed out, 5xx): the orchestrator retries it. */
  STAGE_UNAVAILABLE: { status: 503, retryable: true },
  /** YouTube's daily API quota (per Cloud project) is spent: wait for the reset at midnight Pacific. */
  QUOTA_EXCEEDED: { status: 429, retryable: false },
  /** YouTube refuses more uploads from this channel for now (uploadLimitExceeded). */
  UPLOAD_LIMIT_EXCEEDED: { status: 429, retryable: false },
  /** A channel's OAuth authorization is missing, expired or revoked: run "faceless channels add" again. */
  CHANNEL_AUTH: { status: 422, retryable: false },
  /** A review decision for a pipeline that is not waiting in Review (never started with review, or decided already). */
  NOT_IN_REVIEW: { status: 409, retryable: false },
  /** The pipeline was rejected at review, before its upload: a retry brings it back to Review. */
  REVIEW_REJECTED: { status: 409, retryable: false },
} as const satisfies Record<ErrorCodeName, { status: number; retryable: boolean }>;
export type ErrorCode = keyof typeof ERROR_CODES;

export interface FacelessErrorOptions {
  retryable?: boolean;
  /** The input field or option at fault, when there is one. */
  field?: string;
  cause?: unknown;
}

/** The one error type: a stable code, whether retrying can help, and the field at fault. */
export class FacelessError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: FacelessErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'FacelessError';
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.field = options.field;
  }

  toJSON(): { code: ErrorCode; message: string; retryable: boolean; field?: string } {
    return { code: this.code, message: this.message, retryable: this.retryable, ...(this.field ? { field: this.field } : {}) };
  }
}

export function isFacelessError(err: unknown): err is FacelessError {
  return err instanceof FacelessError;
}

/** Wraps anything thrown into a FacelessError, keeping a FacelessError as it is. */
export function toFacelessError(err: unknown): FacelessError {
  if (err instanceof FacelessError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new FacelessError('CANCELLED', 'cancelled', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new FacelessError('INTERNAL', message, { cause: err });
}
