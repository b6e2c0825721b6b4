import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readYouTubeConfig } from './youtube-config.ts';

test('DATABASE_URL says where the channels are kept; blank is the embedded database, a non-postgres URL is named', () => {
  assert.equal(readYouTubeConfig({ DATABASE_URL: 'postgres://u@db:5432/faceless' }).databaseUrl, 'postgres://u@db:5432/faceless');
  assert.equal('databaseUrl' in readYouTubeConfig({ DATABASE_URL: ' ' }), false);
  assert.throws(() => readYouTubeConfig({ DATABASE_URL: 'mysql://db/x' }), { code: 'INVALID_OPTION', field: 'DATABASE_URL' });
});
