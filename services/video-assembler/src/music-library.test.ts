import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ffprobe, runProcess } from '@faceless/runtime';
import { chooseMusic, moodsFromName, pickTrack, scanMusicDir, seedFromText, trackMatches } from './music-library.ts';
import type { MusicTrack } from './music-library.ts';

let root: string;
let dir: string;

async function ffmpeg(...args: string[]): Promise<void> {
  await runProcess('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args]);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'va-music-'));
  dir = join(root, 'music');
  await mkdir(dir);
  await ffmpeg('-f', 'lavfi', '-i', 'sine=f=330:r=44100:d=6', '-c:a', 'libmp3lame', join(dir, 'calm - piano 01.mp3'));
  await ffmpeg('-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=6', '-c:a', 'aac', join(dir, 'track-b.m4a'));
  await ffmpeg('-f', 'lavfi', '-i', 'sine=f=220:r=48000:d=2', join(dir, 'too short.wav'));
  await writeFile(join(dir, 'notes.mp3'), 'this is a text file, not an mp3\n'.repeat(50));
  await writeFile(join(dir, 'empty.ogg'), '');
  await writeFile(join(dir, 'cover.jpg'), 'not music');
  await writeFile(join(dir, 'tags.json'), JSON.stringify({ 'track-b.m4a': ['Epic', 'trailer'] }));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('moodsFromName keeps the mood words of a file name', () => {
  assert.deepEqual(moodsFromName('calm - piano 01.mp3'), ['calm', 'piano']);
  assert.deepEqual(moodsFromName('Track_07 (final).wav'), []);
});

test('scanMusicDir keeps readable audio with its moods and names every file it skips', async () => {
  const scan = await scanMusicDir(dir);
  assert.deepEqual(scan.tracks.map((t) => [t.name, t.moods]), [['calm - piano 01.mp3', ['calm', 'piano']], ['track-b.m4a', ['epic', 'trailer']]]);
  assert.ok(scan.tracks.every((t) => Math.abs(t.durationSec - 6) < 0.2));
  const warnings = scan.warnings.join('\n');
  for (const name of ['notes.mp3', 'empty.ogg', 'cover.jpg', 'too short.wav']) assert.match(warnings, new RegExp(`"${name}"`), `no warning names ${name}`);
  assert.match(warnings, /"notes\.mp3": it is not audio/);
});

test('trackMatches treats synonyms as the same mood; pickTrack is deterministic for a seed', () => {
  const tracks: MusicTrack[] = [
    { name: 'a.mp3', path: '/a.mp3', durationSec: 60, moods: ['lofi'] },
    { name: 'b.mp3', path: '/b.mp3', durationSec: 60, moods: ['epic'] },
    { name: 'c.mp3', path: '/c.mp3', durationSec: 60, moods: ['chill'] },
  ];
  assert.ok(trackMatches({ moods: ['lofi'] }, 'calm'));
  assert.ok(!trackMatches({ moods: ['epic'] }, 'calm'));
  const seed = seedFromText('how octopuses think');
  const first = pickTrack(tracks, 'calm', seed);
  assert.deepEqual(pickTrack(tracks, 'calm', seed), first);
  assert.ok(first?.matched && ['a.mp3', 'c.mp3'].includes(first.track.name));
  const chosen = new Set(Array.from({ length: 40 }, (_, i) => pickTrack(tracks, 'calm', i)?.track.name));
  assert.deepEqual([...chosen].sort(), ['a.mp3', 'c.mp3']);
  assert.equal(pickTrack(tracks, 'polka', seed)?.matched, false);
  assert.equal(pickTrack([], 'calm', seed), undefined);
});

test('chooseMusic picks the folder track for the mood, warning about the skipped files', async () => {
  const warnings: string[] = [];
  const choice = await chooseMusic({ musicDir: dir, mood: 'dramatic', seed: 1, durationSec: 10, workDir: root, signal: AbortSignal.timeout(30_000), warn: (m) => warnings.push(m) });
  assert.deepEqual(choice, { path: join(dir, 'track-b.m4a'), source: 'track-b.m4a', mood: 'dramatic' });
  assert.match(warnings.join('\n'), /skipped music file "notes\.mp3"/);
});

test('chooseMusic plays a generated bed when the folder is missing, and without a folder', async () => {
  const warnings: string[] = [];
  const missing = await chooseMusic({ musicDir: join(root, 'nope'), mood: 'upbeat', seed: 1, durationSec: 3, workDir: root, signal: AbortSignal.timeout(30_000), warn: (m) => warnings.push(m) });
  assert.equal(missing.source, 'generated:upbeat');
  assert.match(warnings.join('\n'), /music folder ".*nope" does not exist/);
  const probe = await ffprobe(missing.path);
  assert.ok(Math.abs(Number(probe.format.duration) - 3) < 0.01);
  const none = await chooseMusic({ musicDir: undefined, mood: undefined, seed: 1, durationSec: 3, workDir: root, signal: AbortSignal.timeout(30_000), warn: (m) => warnings.push(m) });
  assert.deepEqual({ source: none.source, mood: none.mood }, { source: 'generated:calm', mood: 'calm' });
});
