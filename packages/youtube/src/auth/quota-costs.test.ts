import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuotaCosts } from './quota-costs.ts';

test('the two named cost tables and a JSON table with defaults for the operations left out', () => {
  assert.equal(parseQuotaCosts('legacy').units['videos.insert'], 1600);
  assert.equal(parseQuotaCosts(' uploads-bucket ').units['videos.insert'], 100);
  assert.equal(parseQuotaCosts('uploads-bucket').uploadsPerDay, 100);
  const custom = parseQuotaCosts('{"videos.insert": 400, "uploadsPerDay": 20}');
  assert.equal(custom.units['videos.insert'], 400);
  assert.equal(custom.units['thumbnails.set'], 50);
  assert.equal(custom.units.reporting, 0);
  assert.deepEqual(custom.uploads, { 'videos.insert': 1 });
  assert.equal(custom.uploadsPerDay, 20);
});

test('a bad YOUTUBE_QUOTA_COSTS is an INVALID_OPTION that names the variable and the problem', () => {
  assert.throws(() => parseQuotaCosts('newest'), (err: Error & { code?: string; field?: string }) =>
    err.code === 'INVALID_OPTION' && err.field === 'YOUTUBE_QUOTA_COSTS' && /"newest"/.test(err.message) && /legacy, uploads-bucket/.test(err.message));
  assert.throws(() => parseQuotaCosts('{"videos.insert": 16'), /YOUTUBE_QUOTA_COSTS is not valid JSON/);
  assert.throws(() => parseQuotaCosts('{"videos.insrt": 1600}'), /videos\.insrt|Unrecognized key/);
  assert.throws(() => parseQuotaCosts('{"videos.insert": -1}'), { code: 'INVALID_OPTION' });
});
