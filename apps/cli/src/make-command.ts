import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { StageKey } from '@faceless/contracts';
import { FolderStore, JsonFileCheckpointStore, MemoryEventBus, openDatabase, type Database } from '@faceless/infra';
import {
  checkpointOutputs, InProcessStageClient, runPipeline, tracedStageClient, type PipelineCheckpoint, type StageOutputs,
} from '@faceless/pipeline';
import { createLogger, inSpan, isFacelessError, runProcess } from '@faceless/runtime';
import type { CliConfig } from './config.ts';
import { UsageError, type MakeOptions } from './make-options.ts';
import { progressView, type ProgressOutput } from './progress-view.ts';
import { stageRegistry } from './stage-registry.ts';
import { timingsRecorder, type StageTiming } from './timings-view.ts';

export interface MakeDeps {
  config: CliConfig;
  env: Record<string, string | undefined>;
  out: ProgressOutput;
  signal: AbortSignal;
}

export interface MakeResult {
  checkpoint: PipelineCheckpoint;
  /** With --timings, each stage of this run (absent when nothing ran: the video was already made). */
  timings?: StageTiming[];
}

/** The checkpoint file of a run: its presence in --out is what makes the same command resume. */
export const CHECKPOINT_FILE = 'pipeline.json';

function sameRequest(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One line about what a stage made, for the progress view. */
export function describeOutput(stage: StageKey, output: unknown): string {
  const o = output as StageOutputs[StageKey];
  switch (stage) {
    case 'keywords': { const k = (o as StageOutputs['keywords']).keywords; return `${k.length} keywords, best: "${k[0]?.keyword ?? ''}"`; }
    case 'script': { const s = (o as StageOutputs['script']).script; return `"${s.titleIdea}", ${s.sections.length} sections, ${s.wordCount} words`; }
    case 'audio': { const a = o as StageOutputs['audio']; return `${a.durationSec.toFixed(1)} s of speech, ${a.words.length} timed words (${a.voice})`; }
    case 'video': { const v = o as StageOutputs['video']; return `${v.width}×${v.height}, ${v.durationSec.toFixed(1)} s`; }
    case 'thumbnail': return `${(o as StageOutputs['thumbnail']).variants.length} variants`;
    case 'metadata': return `"${(o as StageOutputs['metadata']).metadata.title}"`;
    case 'upload': { const u = o as StageOutputs['upload']; return `${u.target} ${u.videoId}, ${u.privacyStatus}, planned ${u.publishAt}`; }
    case 'abtest': { const t = o as StageOutputs['abtest']; return `experiment ${t.testId.slice(0, 8)}, ${t.variants.length} variants`; }
  }
}

/** Fails fast, before any stage runs, when ffmpeg is missing. */
async function preflight(): Promise<void> {
  try {
    await runProcess('ffmpeg', ['-hide_banner', '-version']);
  } catch {
    throw new UsageError('ffmpeg', 'is not installed or not on PATH: install it (Debian/Ubuntu: sudo apt-get install -y ffmpeg), then check with "faceless doctor"');
  }
}

export async function makeCommand(options: MakeOptions, deps: MakeDeps): Promise<MakeResult> {
  await preflight();
  const { outDir } = options;
  const checkpointPath = join(outDir, CHECKPOINT_FILE);
  const checkpoints = new JsonFileCheckpointStore<PipelineCheckpoint>(() => checkpointPath);
  let existing = await checkpoints.load('');
  if (existing && options.fresh) {
    await rm(checkpointPath, { force: true });
    existing = undefined;
  }
  if (existing && !sameRequest(existing.request, options.request)) {
    throw new UsageError('--out', `${outDir} holds a run for another request (topic "${existing.request.topic}"); add --fresh to start over there, or choose another --out`);
  }
  const pipelineId = existing?.pipelineId ?? randomUUID();
  if (existing?.state === 'Completed') {
    deps.out.write(`Already made in ${outDir} (add --fresh to make it again).\n`);
    return { checkpoint: existing };
  }
  if (existing) deps.out.write(`Resuming the run in ${outDir} at the ${existing.currentStage ?? 'next'} stage.\n`);
  else deps.out.write(`Making "${options.request.topic}" (${options.request.lang}, ${options.request.durationSec} s, ${options.request.aspect}) into ${outDir}\n`);

  let db: Promise<Database> | undefined;
  const openDb = (): Promise<Database> => {
    db ??= openDatabase(deps.config.databaseUrl ? { url: deps.config.databaseUrl } : { dataDir: join(deps.config.dataDir, 'db') });
    return db;
  };
  // The embedded database takes seconds to start (WebAssembly, and initdb on a first run) and only the last
  // stage needs it: opening it now overlaps that with the stages before. A failure waits for the stage that uses it.
  if (!existing?.stages.abtest) openDb().catch(() => {});
  // Warnings come out as readable lines above the progress line, never as JSON glued to it.
  const view = progressView(deps.out, describeOutput);
  const log = createLogger({ level: deps.config.logLevel, write: (line) => view.log(line) });
  const store = new FolderStore(outDir);
  // With OTEL_EXPORTER_OTLP_ENDPOINT set, a make is one trace: a span for the run, one per stage, its ffmpeg runs under them.
  const client = tracedStageClient(new InProcessStageClient({ stages: stageRegistry({ env: deps.env, openDatabase: openDb }), store, log }));
  const timings = options.timings ? timingsRecorder() : undefined;
  const run = (): Promise<PipelineCheckpoint> => inSpan('pipeline', { attributes: { 'faceless.pipeline.id': pipelineId } }, () => runPipeline({
    pipelineId, request: options.request, outputPrefix: '', client: timings?.client(client) ?? client, checkpoints, bus: new MemoryEventBus(),
    signal: deps.signal, retry: { attempts: deps.config.retryAttempts, baseDelayMs: 1000 },
    hooks: timings?.hooks(view) ?? view,
  }));
  try {
    if (!timings) return { checkpoint: await run() };
    return { checkpoint: await timings.during(run), timings: timings.timings() };
  } finally {
    // A database that failed to open has nothing to close, and its error is the stage's to report, not this.
    if (db) await db.then((d) => d.close(), () => undefined).catch(() => {});
  }
}

/** What was made and where, for a person. */
export function summary(cp: PipelineCheckpoint, outDir: string, cwd: string, databaseLocation: string): string {
  const o = checkpointOutputs(cp);
  const at = (key: string): string => {
    const p = join(outDir, key);
    const r = relative(cwd, p);
    return r.startsWith('..') ? p : r;
  };
  const lines = ['', 'Done. Here is what faceless made:'];
  if (o.video) lines.push(`  video        ${at(o.video.videoPath)}  (${o.video.durationSec.toFixed(1)} s, ${o.video.width}×${o.video.height})`);
  if (o.audio) lines.push(`  voice-over   ${at(o.audio.audioPath)}`);
  if (o.thumbnail) lines.push(`  thumbnails   ${o.thumbnail.variants.map((v) => at(v.path)).join(', ')}`);
  if (o.metadata) {
    lines.push(`  metadata     ${at(o.metadata.metadataPath)}`);
    lines.push(`  title        ${o.metadata.metadata.title}`);
  }
  if (o.upload) lines.push(`  publish      ${o.upload.recordPath ? at(o.upload.recordPath) : o.upload.videoId}  (${o.upload.target}, ${o.upload.privacyStatus}, planned ${o.upload.publishAt})`);
  if (o.abtest) lines.push(`  A/B test     experiment ${o.abtest.testId} with ${o.abtest.variants.length} variants, in ${databaseLocation}`);
  lines.push(`  run record   ${at(CHECKPOINT_FILE)}`);
  return `${lines.join('\n')}\n`;
}

export function failureMessage(err: unknown): string {
  if (isFacelessError(err)) return `error [${err.code}]: ${err.message}`;
  return `error: ${(err as Error).message}`;
}
