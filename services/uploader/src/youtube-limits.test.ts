import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FacelessError } from '@faceless/runtime';
import { checkMetadataLimits, imageTypeOf, tagsLength } from './youtube-limits.ts';

const ok = { title: 'Why cats purr', description: 'All about purring.\n0:00 Intro', tags: ['cats', 'cat facts'] };

function rejects(meta: Partial<typeof ok>, field: string): void {
  assert.throws(() => checkMetadataLimits({ ...ok, ...meta }), (err: unknown) => {
    assert.ok(err instanceof FacelessError);
    assert.equal(err.code, 'LIMIT_EXCEEDED');
    assert.equal(err.field, field);
    return true;
  });
}

test('tags count commas and the quotes around tags with spaces', () => {
  assert.equal(tagsLength([]), 0);
  assert.equal(tagsLength(['cats']), 4);
  assert.equal(tagsLength(['cats', 'dogs']), 9);
  assert.equal(tagsLength(['cat facts', 'dogs']), 9 + 2 + 1 + 4);
  assert.equal(tagsLength(['café']), 4);
});

test('metadata within the limits passes', () => {
  checkMetadataLimits(ok);
  checkMetadataLimits({ ...ok, title: 'é'.repeat(100), description: 'a'.repeat(5000) });
});

test('the title is at most 100 characters, without < or >', () => {
  rejects({ title: 'x'.repeat(101) }, 'metadata.title');
  rejects({ title: 'a <b> title' }, 'metadata.title');
  rejects({ title: '3 > 2' }, 'metadata.title');
});

test('the description is at most 5000 UTF-8 bytes, without < or >', () => {
  rejects({ description: 'é'.repeat(2501) }, 'metadata.description');
  rejects({ description: 'see <here>' }, 'metadata.description');
});

test('tags are at most 500 characters in total', () => {
  // 50 tags of 9 characters: 450 + 49 commas = 499.
  checkMetadataLimits({ ...ok, tags: Array.from({ length: 50 }, () => 'abcdefghi') });
  rejects({ tags: Array.from({ length: 50 }, () => 'abcdefghij') }, 'metadata.tags');
  // 45 tags "abcd efgh" count 11 each: 495 + 44 = 539 though the raw text is shorter.
  rejects({ tags: Array.from({ length: 45 }, () => 'abcd efgh') }, 'metadata.tags');
});

test('thumbnails are recognised by their magic bytes', () => {
  assert.equal(imageTypeOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])), 'image/jpeg');
  assert.equal(imageTypeOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'image/png');
  assert.equal(imageTypeOf(Buffer.from('GIF89a')), undefined);
  assert.equal(imageTypeOf(Buffer.from('RIFF....WEBP')), undefined);
  assert.equal(imageTypeOf(Buffer.alloc(0)), undefined);
});
