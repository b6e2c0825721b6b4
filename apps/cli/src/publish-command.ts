import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { PrivacyStatus, UploadOutput } from '@faceless/contracts';
import { FolderStore, JsonFileCheckpointStore } from '@faceless/infra';
import { buildStageInput, checkpointOutputs, InProcessStageClient, type PipelineCheckpoint } from '@faceless/pipeline';
import { createLogger, isFacelessError } from '@faceless/runtime';
import { openChannelStore } from '@faceless/youtube';
import type { CliConfig } from './config.ts';
import { CHECKPOINT_FILE } from './make-command.ts';
import { readableLogLine } from './progress-view.ts';
import { cliCommand, parseCli, UsageError, type Parsed } from './cli-parse.ts';
import { stageRegistry } from './stage-registry.ts';

/** `faceless publish`: its arguments, options and help. */
export function publishCli(): Command {
  return cliCommand('faceless publish', 'Publishes a video made earlier with "faceless make" (review it first), to a YouTube channel added with '
    + '"faceless channels add". Running it again never uploads a second video: an interrupted upload resumes where it stopped, a finished one is reported.')
    .usage('<out-dir> --channel <name> [options]')
    .argument('[out-dir...]', 'the folder "faceless make" wrote (it holds pipeline.json)')
    .option('--channel <name>', 'the channel (see faceless channels list)')
    .option('--privacy <status>', "private, unlisted or public (default: the channel's; private is scheduled)")
    .option('--at <time>', "publish at this ISO 8601 time instead of the channel's next free slot (private only)");
}

/** The --publish/--channel channel exists, checked before any work starts. */
export async function assertYouTubeChannel(name: string, option: string, env: Record<string, string | undefined>): Promise<void> {
  try {
    const channels = await openChannelStore(env);
    try {
      await channels.get(name);
    } finally {
      await channels.close();
    }
  } catch (err) {
    if (isFacelessError(err)) throw new UsageError(option, err.message);
    throw err;
  }
}

export interface PublishDeps {
  config: CliConfig;
  env: Record<string, string | undefined>;
  write(text: string): void;
  signal: AbortSignal;
  cwd?: string;
}

/** `faceless publish <out-dir> --channel <name>`: the uploader stage on a finished run's video, thumbnail and metadata. */
export async function publishCommand(argv: readonly string[] | Parsed, deps: PublishDeps): Promise<UploadOutput> {
  const parsed = Array.isArray(argv) ? parseCli(publishCli(), argv as readonly string[], () => {}) : argv as Parsed;
  if ('help' in parsed) throw new UsageError('--help', 'asks for the help: run faceless publish --help');
  const positionals = (parsed.args[0] ?? []) as string[];
  const values = parsed.values as { channel?: string; privacy?: string; at?: string };
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('<out-dir>', 'give the one folder "faceless make" wrote (it holds pipeline.json)');
  const channel = values.channel;
  if (!channel) throw new UsageError('--channel', 'missing: which channel? See faceless channels list');
  const privacy = values.privacy === undefined ? undefined : PrivacyStatus.safeParse(values.privacy);
  if (privacy && !privacy.success) throw new UsageError('--privacy', `"${values.privacy}" is not a privacy status: use private, unlisted or public`);
  if (values.at !== undefined && Number.isNaN(Date.parse(values.at))) throw new UsageError('--at', `"${values.at}" is not a time: use ISO 8601, e.g. 2026-12-01T15:00:00Z`);

  const outDir = resolve(deps.cwd ?? process.cwd(), positionals[0]);
  const cp = await new JsonFileCheckpointStore<PipelineCheckpoint>(() => join(outDir, CHECKPOINT_FILE)).load('');
  if (!cp) throw new UsageError('<out-dir>', `${outDir} holds no faceless run (no ${CHECKPOINT_FILE}): make one with faceless make "<topic>" --out ${positionals[0]}`);
  const outputs = checkpointOutputs(cp);
  const missing = (['video', 'thumbnail', 'metadata'] as const).find((k) => !outputs[k]);
  if (missing) throw new UsageError('<out-dir>', `the run in ${outDir} stopped before its ${missing}: run the same faceless make command again to finish it, then publish`);
  await assertYouTubeChannel(channel, '--channel', deps.env);

  const input = {
    ...buildStageInput('upload', { pipelineId: cp.pipelineId, request: { ...cp.request, channel }, outputPrefix: cp.outputPrefix, outputs }),
    ...(privacy?.success ? { privacyStatus: privacy.data } : {}),
    ...(values.at !== undefined ? { publishAt: new Date(values.at).toISOString() } : {}),
  };
  const client = new InProcessStageClient({
    stages: stageRegistry({ env: deps.env }), store: new FolderStore(outDir), log: createLogger({ level: deps.config.logLevel, write: (line) => process.stderr.write(`${readableLogLine(line)}\n`) }),
  });
  let shown = -1;
  const output = UploadOutput.parse(await client.call('upload', input, {
    pipelineId: cp.pipelineId,
    signal: deps.signal,
    onProgress: (fraction, note) => {
      const percent = Math.floor(fraction * 100);
      if (percent < shown + 5 && fraction < 1) return;
      shown = percent;
      deps.write(`  ${String(percent).padStart(3)}%  ${note ?? ''}\n`);
    },
  }));
  deps.write(`✓ ${output.target} ${output.videoId}${output.url ? ` ${output.url}` : ''}: ${output.privacyStatus}, planned ${output.publishAt}\n`);
  deps.write(`  A/B test its thumbnails and titles: faceless abtest create --from ${positionals[0]} --video ${output.videoId}\n`);
  return output;
}
