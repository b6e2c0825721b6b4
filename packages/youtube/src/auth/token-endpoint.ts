import { FacelessError } from '@faceless/runtime';

/** What Google's token endpoint gave back, with the lifetime turned into an instant. */
export interface GoogleTokens {
  accessToken: string;
  expiresAt: Date;
  /** Only on the authorization-code grant (and only with access_type=offline). */
  refreshToken: string | undefined;
  scope: string;
}

export interface TokenRequestOptions {
  tokenUrl: string;
  form: Record<string, string>;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => Date;
  /** The error to raise for `invalid_grant`, which means different things for a code and for a refresh token. */
  invalidGrant: (description: string) => FacelessError;
}

interface TokenBody {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  scope?: unknown;
  error?: unknown;
  error_description?: unknown;
}

// Google's error and error_description are fixed phrases (never the token), so they can be quoted.
function describe(body: TokenBody, status: number): string {
  const error = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  const text = typeof body.error_description === 'string' ? `: ${body.error_description.slice(0, 200)}` : '';
  return `${error}${text}`;
}

/** One POST to the token endpoint (form-encoded), mapping Google's answers to faceless error codes. */
export async function requestToken(options: TokenRequestOptions): Promise<GoogleTokens> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(options.form).toString(),
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw new FacelessError('CANCELLED', 'the token request was cancelled', { cause: err });
    throw new FacelessError('PROVIDER_UNAVAILABLE', `Google's token endpoint ${options.tokenUrl} could not be reached: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text().catch(() => '');
  let body: TokenBody = {};
  try {
    body = text ? (JSON.parse(text) as TokenBody) : {};
  } catch {
    body = {};
  }
  if (res.status >= 500) {
    throw new FacelessError('PROVIDER_UNAVAILABLE', `Google's token endpoint answered ${res.status}: try again later`);
  }
  if (res.status === 429) {
    throw new FacelessError('PROVIDER_RATE_LIMITED', 'Google\'s token endpoint answered 429 (too many requests): try again later');
  }
  if (!res.ok) {
    if (body.error === 'invalid_grant') throw options.invalidGrant(describe(body, res.status));
    if (body.error === 'invalid_client' || body.error === 'unauthorized_client' || res.status === 401) {
      throw new FacelessError(
        'PROVIDER_AUTH',
        `Google rejected GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET (${describe(body, res.status)}): copy both from the OAuth client (type "Desktop app") in the Google Cloud console, APIs & Services → Credentials`,
        { field: 'GOOGLE_CLIENT_ID' },
      );
    }
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `Google's token endpoint refused the request (${describe(body, res.status)})`);
  }
  const expiresIn = Number(body.expires_in);
  if (typeof body.access_token !== 'string' || body.access_token === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `Google's token endpoint answered ${res.status} without access_token and expires_in`);
  }
  const now = options.now?.() ?? new Date();
  return {
    accessToken: body.access_token,
    expiresAt: new Date(now.getTime() + expiresIn * 1000),
    refreshToken: typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : undefined,
    scope: typeof body.scope === 'string' ? body.scope : '',
  };
}
