import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '@faceless/runtime';
import { progressView, readableLogLine } from './progress-view.ts';

const ESC = String.fromCharCode(27);
const CONTROLS = new RegExp(`(\r|${ESC}\\[2K|\n)`);

/** What a terminal shows after these writes: \r returns to the line's start, ESC[2K erases it, \n ends it. */
function screen(writes: readonly string[]): string[] {
  const lines = [''];
  for (const text of writes) {
    for (const part of text.split(CONTROLS)) {
      if (part === '\r' || part === '') continue;
      if (part === `${ESC}[2K`) lines[lines.length - 1] = '';
      else if (part === '\n') lines.push('');
      else lines[lines.length - 1] += part;
    }
  }
  return lines;
}

function logLines(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'warn', write: (line) => lines.push(line) }) };
}

test('a log line reads as a sentence: the stage by its name, the fields that matter, no JSON', () => {
  const { lines, log } = logLines();
  log.child({ stage: 'audio', pipelineId: 'p-1' }).warn('no ElevenLabs key: using espeak-ng', { voice: 'en-us', words: 12 });
  log.error('upload failed', { err: new Error('quota spent') });
  log.info('not shown at warn');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^\{"level":"warn"/, 'the logger still writes JSON');
  assert.equal(readableLogLine(lines[0]!), '⚠ Voice-over: no ElevenLabs key: using espeak-ng (voice en-us, words 12)');
  assert.equal(readableLogLine(lines[1]!), '✖ upload failed (quota spent)');
  assert.equal(readableLogLine('plain text'), 'plain text');
});

test('on a terminal a warning gets its own line above the progress line, which is drawn again', () => {
  const writes: string[] = [];
  const view = progressView({ isTTY: true, write: (t) => writes.push(t), note: (t) => writes.push(t) }, () => '');
  const log = createLogger({ level: 'warn', write: (line) => view.log(line) }).child({ stage: 'audio', pipelineId: 'p-1' });
  view.onStageStart?.('audio', { resumed: false });
  view.onStageProgress?.('audio', 0.4, 'speaking');
  log.warn('the voice "xx" is unknown: using en-us');
  view.onStageProgress?.('audio', 0.6, 'speaking');
  log.warn('a second warning');
  assert.deepEqual(screen(writes), [
    '⚠ Voice-over: the voice "xx" is unknown: using en-us',
    '⚠ Voice-over: a second warning',
    '… [3/8] Voice-over   60%  speaking',
  ]);
  assert.ok(!writes.join('').includes('{"level"'), 'no raw JSON reaches the terminal');
});

test('in a log file (no terminal) warnings are plain lines between the progress lines', () => {
  const out: string[] = [];
  const notes: string[] = [];
  const view = progressView({ isTTY: false, write: (t) => out.push(t), note: (t) => notes.push(t) }, () => '');
  const log = createLogger({ level: 'warn', write: (line) => view.log(line) });
  view.onStageStart?.('video', { resumed: false });
  log.warn('font "Nope" not installed: using DejaVu Sans', { stage: 'video' });
  assert.deepEqual(out, ['… [4/8] Video started\n']);
  assert.deepEqual(notes, ['⚠ Video: font "Nope" not installed: using DejaVu Sans\n']);
});
