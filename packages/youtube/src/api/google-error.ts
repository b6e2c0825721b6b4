import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

/** Google's error body: `{error:{code,message,errors:[{reason,message}]}}` (Data, Upload and Reporting APIs alike). */
const GoogleErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z.array(z.looseObject({ reason: z.string().optional(), message: z.string().optional() })).optional(),
  }),
});

export interface GoogleError {
  status: number;
  /** The first `errors[].reason` (e.g. `quotaExceeded`), else the RPC status (e.g. `PERMISSION_DENIED`). */
  reason: string | undefined;
  message: string;
}

/** Reads a failed response's body as a Google error; a body that is not one becomes its first 300 characters. */
export function parseGoogleError(status: number, body: string): GoogleError {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { status, reason: undefined, message: body.trim().slice(0, 300) };
  }
  const parsed = GoogleErrorBody.safeParse(json);
  if (!parsed.success) return { status, reason: undefined, message: body.trim().slice(0, 300) };
  const e = parsed.data.error;
  const first = e.errors?.[0];
  return { status, reason: first?.reason ?? e.status, message: (e.message ?? first?.message ?? '').slice(0, 300) };
}

/** Which input field a 400 reason points at, so the CLI can name it. */
const FIELD_OF_REASON: Record<string, string> = {
  invalidTitle: 'metadata.title',
  invalidDescription: 'metadata.description',
  invalidTags: 'metadata.tags',
  invalidCategoryId: 'metadata.categoryId',
  invalidPublishAt: 'publishAt',
  invalidRecordingDetails: 'metadata',
  invalidVideoMetadata: 'metadata',
  invalidImage: 'thumbnailPath',
  // captions.insert: a file YouTube cannot parse, or a track language it does not know.
  invalidCaptionFile: 'captionsPath',
  invalidMetadata: 'metadata.defaultLanguage',
  mediaBodyRequired: 'videoPath',
};

const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'uploadRateLimitExceeded']);

export interface GoogleErrorContext {
  /** The call, as YouTube's docs name it (`videos.insert`, `thumbnails.set`, `jobs.list`…). */
  operation: string;
  /** Strings that must never reach a message (the access token). */
  secrets?: readonly string[];
}

/**
 * The FacelessError a user can act on for one failed YouTube call. 401 is handled before this (the
 * caller refreshes the token once); a 401 that reaches here means the channel's authorization is dead.
 */
export function googleErrorToFaceless(error: GoogleError, context: GoogleErrorContext): FacelessError {
  const { status, reason } = error;
  const said = `YouTube ${context.operation} answered HTTP ${status}${reason ? ` ${reason}` : ''}${error.message ? `: "${error.message}"` : ''}`;
  const what = redact(said, context.secrets ?? []);
  if (reason && QUOTA_REASONS.has(reason)) {
    return new FacelessError('QUOTA_EXCEEDED', `${what}. The Cloud project's daily YouTube quota is spent: wait for the reset at midnight Pacific, or raise the quota in Google Cloud`);
  }
  if (reason === 'uploadLimitExceeded') {
    return new FacelessError('UPLOAD_LIMIT_EXCEEDED', `${what}. YouTube refuses more uploads from this channel for now: try again tomorrow`);
  }
  if (status === 401) {
    return new FacelessError('CHANNEL_AUTH', `${what}. The channel's authorization was refused even with a fresh token: run "faceless channels add" again`);
  }
  if (status === 429 || (reason && RATE_REASONS.has(reason))) {
    return new FacelessError('PROVIDER_RATE_LIMITED', `${what}. Too many requests: retry later`, { retryable: true });
  }
  if (status >= 500) {
    return new FacelessError('PROVIDER_UNAVAILABLE', `${what}. YouTube is failing: retry later`, { retryable: true });
  }
  if (reason === 'invalidImage') {
    return new FacelessError('INVALID_INPUT', `${what}. YouTube cannot use this thumbnail: send a JPEG or PNG of at most 2 MB (1280×720 recommended)`, { field: 'thumbnailPath' });
  }
  if (status === 403) {
    const fix = context.operation === 'thumbnails.set'
      ? 'the channel may not set custom thumbnails: verify it with a phone number at https://www.youtube.com/verify'
      : 'the account lacks the permission: check the OAuth scopes granted and that the channel belongs to the authorized account';
    return new FacelessError('PROVIDER_AUTH', `${what}. ${fix}`);
  }
  if (status === 404) {
    return new FacelessError('NOT_FOUND', `${what}. The resource does not exist on this channel (deleted, or uploaded by another account)`);
  }
  const field = reason ? FIELD_OF_REASON[reason] : undefined;
  if (status === 400 && field) {
    return new FacelessError('INVALID_INPUT', `${what}. Fix ${field} and try again`, { field });
  }
  return new FacelessError('PROVIDER_BAD_RESPONSE', `${what}. The request was refused; the reason above says why`);
}

/** Reads a failed response and maps it; the body is consumed. */
export async function failedResponseError(res: Response, context: GoogleErrorContext): Promise<FacelessError> {
  const body = await res.text().catch(() => '');
  return googleErrorToFaceless(parseGoogleError(res.status, body), context);
}

function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out.replace(/Bearer\s+[\w.~+/-]+=*/gi, 'Bearer [redacted]');
}
