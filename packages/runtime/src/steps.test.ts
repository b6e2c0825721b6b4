import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import { FacelessError } from './errors.ts';
import { runProcess, summarizeArgs } from './process.ts';
import { runStep, stepChannel, type StepContext } from './steps.ts';

interface Seen { event: string; name: string; summary: string; store?: string | undefined; error?: unknown }

/** Subscribes to every event of 'faceless:step' while `fn` runs. */
async function recordSteps(store: AsyncLocalStorage<string>, fn: () => Promise<unknown>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const at = (event: string) => (c: StepContext): void => {
    seen.push({ event, name: c.name, summary: c.summary, ...(event === 'start' ? { store: store.getStore() } : {}), ...(c.error ? { error: c.error } : {}) });
  };
  const subscribers = { start: at('start'), end: at('end'), asyncStart: at('asyncStart'), asyncEnd: at('asyncEnd'), error: at('error') };
  stepChannel.subscribe(subscribers);
  try {
    await fn();
  } finally {
    stepChannel.unsubscribe(subscribers);
  }
  return seen;
}

test('runStep publishes start and asyncEnd with its name and summary, in the caller\'s async context', async () => {
  const store = new AsyncLocalStorage<string>();
  let ran = 0;
  const seen = await recordSteps(store, () => store.run('stage:video', () => runStep('work', 'chunk 1/2', () => {
    ran++;
    return Promise.resolve(42);
  }).then((value) => assert.equal(value, 42))));
  assert.equal(ran, 1);
  assert.deepEqual(seen.map((s) => s.event), ['start', 'end', 'asyncStart', 'asyncEnd']);
  assert.deepEqual(seen[0], { event: 'start', name: 'work', summary: 'chunk 1/2', store: 'stage:video' });
});

test('a failed step publishes error with the error it threw, and the caller gets the same error', async () => {
  const store = new AsyncLocalStorage<string>();
  const failure = new FacelessError('MEDIA_FAILED', 'boom');
  let caught: unknown;
  const seen = await recordSteps(store, () => runStep('work', () => 'lazy summary', () => Promise.reject(failure)).catch((err: unknown) => { caught = err; }));
  assert.equal(caught, failure);
  const error = seen.find((s) => s.event === 'error');
  assert.equal(error?.error, failure);
  assert.equal(error.summary, 'lazy summary');
  assert.ok(seen.some((s) => s.event === 'asyncEnd'));
});

test('with no subscriber the summary is never built', async () => {
  assert.equal(stepChannel.hasSubscribers, false);
  const value = await runStep('work', () => assert.fail('summary built with no subscriber'), () => Promise.resolve('done'));
  assert.equal(value, 'done');
});

test('runProcess is a step named after the command\'s basename, with a summary of its arguments', async () => {
  const store = new AsyncLocalStorage<string>();
  const seen = await recordSteps(store, () => store.run('stage:x', () => runProcess('/bin/echo', ['hello', '/tmp/some/dir/file.txt'])));
  const start = seen.find((s) => s.event === 'start');
  assert.deepEqual(start, { event: 'start', name: 'echo', summary: 'hello file.txt', store: 'stage:x' });
  const failed = await recordSteps(store, () => runProcess('false', []).catch(() => undefined));
  assert.equal((failed.find((s) => s.event === 'error')?.error as FacelessError).code, 'MEDIA_FAILED');
});

test('an ffmpeg summary names the output first, then its inputs and output options, without graphs or URL queries', () => {
  const summary = summarizeArgs('/usr/bin/ffmpeg', [
    '-hide_banner', '-nostdin', '-y', '-v', 'error', '-nostats', '-progress', 'pipe:1',
    '-ss', '3.5', '-i', '/work/cache/clips/beach.mp4', '-i', 'https://cdn.example/img.png?token=SECRET',
    '-filter_complex', '[0:v]scale=1080:1920[v]', '-map', '[v]', '-frames:v', '450', '-c:v', 'libx264', '-an', '/tmp/run/chunk-003.mp4',
  ]);
  assert.equal(summary, 'chunk-003.mp4 ← beach.mp4, https://cdn.example/…: -filter_complex … -frames:v 450 -c:v libx264 -an');
  assert.doesNotMatch(summary, /SECRET|scale=/);
  const long = summarizeArgs('espeak-ng', ['-w', '/tmp/out.wav', 'x'.repeat(300)]);
  assert.ok(long.length <= 120 && long.endsWith('…'), long);
  assert.equal(summarizeArgs('ffmpeg', ['-i', 'a.wav', '-af', 'loudnorm=print_format=json', '-f', 'null', '-']), '- ← a.wav: -af … -f null');
  assert.equal(summarizeArgs('ffmpeg', ['-y', '-filter_complex', 'color=c=black[v]', '-map', '[v]', '-frames:v', '94', '/tmp/w/chunk-001.mp4']), 'chunk-001.mp4: -filter_complex … -frames:v 94');
  assert.equal(summarizeArgs('ffmpeg', ['-hide_banner', '-version']), '-version');
});
