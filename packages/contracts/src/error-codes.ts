import { z } from 'zod';

/** Stable error codes on the wire; their HTTP statuses and retry flags live in @faceless/runtime. */
export const ERROR_CODE_NAMES = [
  'INVALID_INPUT', 'INVALID_OPTION', 'NOT_FOUND', 'CONFLICT', 'MISSING_DEPENDENCY', 'PROVIDER_AUTH',
  'PROVIDER_RATE_LIMITED', 'PROVIDER_UNAVAILABLE', 'PROVIDER_BAD_RESPONSE', 'MEDIA_FAILED', 'STORAGE_FAILED',
  'LIMIT_EXCEEDED', 'CANCELLED', 'INTERNAL', 'UNAUTHORIZED', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE', 'STAGE_UNAVAILABLE', 'QUOTA_EXCEEDED', 'UPLOAD_LIMIT_EXCEEDED', 'CHANNEL_AUTH',
  'NOT_IN_REVIEW', 'REVIEW_REJECTED',
] as const;
export const ErrorCodeName = z.enum(ERROR_CODE_NAMES);
export type ErrorCodeName = z.infer<typeof ErrorCodeName>;
