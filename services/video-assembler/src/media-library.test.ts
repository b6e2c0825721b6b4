import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FacelessError, runProcess } from '@faceless/runtime';
import { fillRoundRobin, keywordTokens, matchByKeyword, matchMedia, matchScore, probeMedia, scanMediaDir } from './media-library.ts';

let dir: string;

async function ffmpeg(...args: string[]): Promise<void> {
  await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'va-media-'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=640x360', '-frames:v', '1', join(dir, 'octopus.jpg'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=300x400', '-frames:v', '1', join(dir, 'diagram.png'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=30:d=1', '-pix_fmt', 'yuv420p', join(dir, 'ocean-waves.mp4'));
  const jpeg = await readFile(join(dir, 'octopus.jpg'));
  await writeFile(join(dir, 'broken.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 3)));
  await writeFile(join(dir, 'junk.webm'), randomBytes(4096));
  await writeFile(join(dir, 'notes.txt'), 'not a picture');
  await writeFile(join(dir, '.DS_Store'), 'finder');
  await mkdir(join(dir, 'subfolder'));
  await writeFile(join(dir, 'tags.json'), JSON.stringify({ 'diagram.png': ['Heart', 'blood vessels'], 'gone.jpg': ['x'] }));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('scanMediaDir keeps readable images and clips and names every file it skips', async () => {
  const scan = await scanMediaDir(dir);
  assert.deepEqual(scan.items.map((i) => [i.name, i.kind]), [['diagram.png', 'image'], ['ocean-waves.mp4', 'clip'], ['octopus.jpg', 'image']]);
  const clip = scan.items.find((i) => i.kind === 'clip');
  assert.ok(clip && Math.abs(clip.durationSec - 1) < 0.1, `clip lasts ${clip?.durationSec}`);
  assert.deepEqual(scan.items.map((i) => [i.width, i.height]), [[300, 400], [320, 240], [640, 360]]);
  assert.equal(scan.items[0]?.path, join(dir, 'diagram.png'));
  assert.deepEqual(scan.items[0]?.tokens, ['diagram', 'heart', 'blood', 'vessels']);
  assert.equal(scan.warnings.length, 3, scan.warnings.join('\n'));
  assert.match(scan.warnings.find((w) => w.includes('"broken.jpg"')) ?? '', /corrupt or truncated/);
  assert.ok(scan.warnings.some((w) => w.includes('"junk.webm"')));
  assert.match(scan.warnings.find((w) => w.includes('"notes.txt"')) ?? '', /not an image \(.jpg/);
});

test('scanMediaDir follows links to files (a folder of links into a footage library) and names a dangling one', async () => {
  const links = await mkdtemp(join(tmpdir(), 'va-links-'));
  try {
    await symlink(join(dir, 'octopus.jpg'), join(links, 'linked-octopus.jpg'));
    await symlink(join(dir, 'ocean-waves.mp4'), join(links, 'linked-waves.mp4'));
    await symlink(join(dir, 'subfolder'), join(links, 'linked-folder'));
    await symlink(join(dir, 'gone.jpg'), join(links, 'dangling.jpg'));
    const scan = await scanMediaDir(links);
    assert.deepEqual(scan.items.map((i) => [i.name, i.kind]), [['linked-octopus.jpg', 'image'], ['linked-waves.mp4', 'clip']]);
    assert.deepEqual(scan.items.map((i) => [i.width, i.height]), [[640, 360], [320, 240]]);
    assert.equal(scan.warnings.length, 1, scan.warnings.join('\n'));
    assert.match(scan.warnings[0] ?? '', /"dangling\.jpg".*points to nothing/);
  } finally {
    await rm(links, { recursive: true, force: true });
  }
});

test('scanMediaDir rejects a missing folder as INVALID_INPUT on mediaDir', async () => {
  for (const missing of [join(dir, 'nope'), join(dir, 'notes.txt')]) {
    await assert.rejects(scanMediaDir(missing), (err: unknown) => {
      assert.ok(err instanceof FacelessError);
      assert.equal(err.code, 'INVALID_INPUT');
      assert.equal(err.field, 'mediaDir');
      assert.ok(err.message.includes(missing));
      return true;
    });
  }
});

test('scanMediaDir reports a broken tags.json and carries on', async () => {
  const other = await mkdtemp(join(tmpdir(), 'va-tags-'));
  try {
    await writeFile(join(other, 'tags.json'), '{ not json');
    await ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=64x64', '-frames:v', '1', join(other, 'red.png'));
    const scan = await scanMediaDir(other);
    assert.deepEqual(scan.items.map((i) => i.name), ['red.png']);
    assert.equal(scan.warnings.length, 1);
    assert.match(scan.warnings[0] ?? '', /ignored "tags\.json"/);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

test('keywordTokens lower-cases, drops accents, short words and stopwords', () => {
  assert.deepEqual(keywordTokens('The Octopus_arms-2024 Coeur ÉLÉPHANT a of'), ['octopus', 'arms', 'coeur', 'elephant']);
  assert.deepEqual(keywordTokens('IMG_0042'), []);
});

test('matchScore counts exact words fully and shared stems partly', () => {
  assert.equal(matchScore(['octopus', 'arms'], ['octopus', 'arms']), 2);
  assert.equal(matchScore(['octopuses'], ['octopus']), 0.75);
  assert.equal(matchScore(['cat'], ['caterpillar']), 0, 'three letters are too few to call a stem');
});

test('matchMedia serves matching segments first, then fills the others round-robin without repeating a neighbour', () => {
  const items = [{ tokens: ['ocean', 'waves'] }, { tokens: ['octopus'] }, { tokens: ['forest'] }];
  // hook (no keywords), octopus section, ocean section, call to action (no keywords)
  assert.deepEqual(matchMedia(items, [[], ['octopus', 'arms'], ['ocean'], []]), [2, 1, 0, 1]);
});

test('matchMedia: a strong match may repeat, a weak one gives way to an unused file', () => {
  const items = [{ tokens: ['heart', 'blood', 'vessels'] }, { tokens: ['sky'] }, { tokens: ['sea'] }];
  // Both segments match the heart picture by three words: it is worth showing twice.
  assert.deepEqual(matchMedia(items, [['heart', 'blood', 'vessels'], ['heart', 'blood', 'vessels']]), [0, 0]);
  // The stronger match gets it; the weaker one gets an unused file.
  assert.deepEqual(matchMedia(items, [['heart'], ['heart', 'blood', 'vessels']]), [1, 0]);
  // A one-word match does not beat an unused file.
  assert.deepEqual(matchMedia(items, [['heart'], ['heart']]), [0, 1]);
  // Nothing matches: round-robin.
  assert.deepEqual(matchMedia(items, [[], [], [], []]), [0, 1, 2, 0]);
  assert.deepEqual(matchMedia([], [['x']]), []);
});

test('a clip cut short after a valid header is skipped: every packet is read, not just the first frame', async () => {
  const other = await mkdtemp(join(tmpdir(), 'va-cut-'));
  try {
    const whole = join(other, 'whole.mp4');
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=2', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', whole);
    const bytes = await readFile(whole);
    await writeFile(join(other, 'cut.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const probe = await probeMedia(whole, { kind: 'clip' });
    assert.ok(typeof probe !== 'string' && Math.abs(probe.durationSec - 2) < 0.1, JSON.stringify(probe));
    // The header of the cut file still says 2 s and its first frame decodes.
    assert.equal(typeof (await probeMedia(join(other, 'cut.mp4'), { kind: 'image' })), 'object');
    assert.match(String(await probeMedia(join(other, 'cut.mp4'), { kind: 'clip' })), /corrupt or truncated \(.*partial file/);
    const scan = await scanMediaDir(other);
    assert.deepEqual(scan.items.map((i) => i.name), ['whole.mp4']);
    assert.match(scan.warnings.join('\n'), /skipped "cut\.mp4": it is corrupt or truncated/);
  } finally {
    await rm(other, { recursive: true, force: true });
  }
});

test('matching respects what fits: a clip too short for a segment is not given to it', () => {
  const items = [{ tokens: ['ocean'] }, { tokens: ['octopus'] }];
  const shortClip = (item: number, segment: number): boolean => !(item === 0 && segment === 1);
  // Segment 1 wants the ocean clip but it is too short there: no keyword pick; segment 2 gets it.
  assert.deepEqual(matchByKeyword(items, [[], ['ocean'], ['ocean']], shortClip), [-1, -1, 0]);
  assert.deepEqual(matchMedia(items, [[], ['ocean'], ['ocean']], shortClip), [1, 1, 0]);
  // Skipped segments stay open for the next source; a segment nothing fits stays -1.
  assert.deepEqual(fillRoundRobin(2, [-1, -1, 0], { skip: (s) => s === 1 }), [1, -1, 0]);
  assert.deepEqual(fillRoundRobin(2, [-1, -1], { fits: (_, s) => s === 0 }), [0, -1]);
});
