import assert from 'node:assert/strict';
import { test } from 'node:test';
import { googleErrorToFaceless, parseGoogleError } from './google-error.ts';

const body = (code: number, reason: string, message = 'msg') => JSON.stringify({ error: { code, message, errors: [{ reason, message, domain: 'youtube.quota' }] } });
const map = (status: number, reason: string, operation = 'videos.insert', message?: string) => googleErrorToFaceless(parseGoogleError(status, body(status, reason, message)), { operation, secrets: ['ya29.secret-token'] });

test('parseGoogleError reads the first reason and the message, and survives bodies that are not Google errors', () => {
  assert.deepEqual(parseGoogleError(403, body(403, 'quotaExceeded', 'over')), { status: 403, reason: 'quotaExceeded', message: 'over' });
  assert.deepEqual(parseGoogleError(404, JSON.stringify({ error: { code: 404, message: 'gone', status: 'NOT_FOUND' } })), { status: 404, reason: 'NOT_FOUND', message: 'gone' });
  assert.deepEqual(parseGoogleError(502, '<html>Bad Gateway</html>'), { status: 502, reason: undefined, message: '<html>Bad Gateway</html>' });
  assert.deepEqual(parseGoogleError(500, '{"unexpected":1}'), { status: 500, reason: undefined, message: '{"unexpected":1}' });
});

test('each YouTube failure maps to the code a user can act on', () => {
  const cases: [number, string, string, string, boolean, string | undefined][] = [
    [403, 'quotaExceeded', 'videos.insert', 'QUOTA_EXCEEDED', false, undefined],
    [403, 'dailyLimitExceeded', 'videos.list', 'QUOTA_EXCEEDED', false, undefined],
    [400, 'uploadLimitExceeded', 'videos.insert', 'UPLOAD_LIMIT_EXCEEDED', false, undefined],
    [401, 'authError', 'videos.list', 'CHANNEL_AUTH', false, undefined],
    [403, 'forbidden', 'thumbnails.set', 'PROVIDER_AUTH', false, undefined],
    [403, 'insufficientPermissions', 'videos.update', 'PROVIDER_AUTH', false, undefined],
    [400, 'invalidImage', 'thumbnails.set', 'INVALID_INPUT', false, 'thumbnailPath'],
    [400, 'invalidTitle', 'videos.insert', 'INVALID_INPUT', false, 'metadata.title'],
    [400, 'invalidCategoryId', 'videos.update', 'INVALID_INPUT', false, 'metadata.categoryId'],
    [404, 'videoNotFound', 'videos.update', 'NOT_FOUND', false, undefined],
    [429, 'rateLimitExceeded', 'videos.list', 'PROVIDER_RATE_LIMITED', true, undefined],
    [403, 'rateLimitExceeded', 'videos.list', 'PROVIDER_RATE_LIMITED', true, undefined],
    [500, 'backendError', 'videos.insert', 'PROVIDER_UNAVAILABLE', true, undefined],
    [503, 'backendError', 'videos.insert', 'PROVIDER_UNAVAILABLE', true, undefined],
    [400, 'badContent', 'videos.insert', 'PROVIDER_BAD_RESPONSE', false, undefined],
    [409, 'conflict', 'jobs.create', 'PROVIDER_BAD_RESPONSE', false, undefined],
  ];
  for (const [status, reason, operation, code, retryable, field] of cases) {
    const err = map(status, reason, operation, `the ${reason} message`);
    assert.equal(err.code, code, `${status} ${reason}`);
    assert.equal(err.retryable, retryable, `${status} ${reason} retryable`);
    assert.equal(err.field, field, `${status} ${reason} field`);
    assert.ok(err.message.includes(`YouTube ${operation} answered HTTP ${status} ${reason}: "the ${reason} message"`), err.message);
  }
});

test('the token never reaches a message, even when the server echoes it', () => {
  const err = map(400, 'badRequest', 'videos.insert', 'bad header Authorization: Bearer ya29.secret-token and again ya29.secret-token');
  assert.doesNotMatch(err.message, /secret-token/);
  assert.match(err.message, /\[redacted\]/);
});
