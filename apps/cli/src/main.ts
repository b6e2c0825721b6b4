import '@faceless/runtime/tracing-register'; // first: tracing patches the modules imported after it
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { cliCommand, parseCli } from './cli-parse.ts';
import { readCliConfig } from './config.ts';
import { formatChecks, runDoctor } from './doctor.ts';
import { failureMessage, makeCommand, summary } from './make-command.ts';
import { makeCli, makeOptionsFrom, UsageError } from './make-options.ts';
import { formatWaterfall } from './timings-view.ts';

const USAGE = `faceless: topic in, faceless YouTube video out.

Usage:
  faceless make "<topic>" [options]   make a video
  faceless publish <out-dir> --channel <name>  publish a video made earlier to YouTube
  faceless channels add|list|remove   YouTube channels (Google OAuth)
  faceless abtest <command>           A/B tests of thumbnails and titles: list, show, create, decide, import, evaluate, stop, rotate, fetch
  faceless voices [--lang <code>]     list the voices of the speech provider (for --voice)
  faceless doctor                     check ffmpeg, the voice engine and the data folder
  faceless serve [--port N] [--host H] serve the HTTP API in one process (default 127.0.0.1:3000)
  faceless keys create|list|revoke    API keys of the HTTP API
  faceless stack                      start the ten services on ports 3000-3009 (REDIS_URL, AMQP_URL, DATABASE_URL, S3_*)
  faceless --version

Every command and subcommand has --help (faceless make --help, faceless abtest create --help),
which prints its options and starts nothing.

Docs: README.md`;

/** The commands: name and one line; each parses the rest of the line itself (see the switch in main). */
export const COMMANDS: readonly (readonly [string, string])[] = [
  ['make', 'make a video'], ['publish', 'publish a video made earlier to YouTube'], ['channels', 'YouTube channels'],
  ['abtest', 'A/B tests of thumbnails and titles'], ['voices', 'list the voices of the speech provider'],
  ['doctor', 'check ffmpeg, the voice engine and the data folder'], ['serve', 'serve the HTTP API in one process'],
  ['keys', 'API keys of the HTTP API'], ['stack', 'start the ten services on ports 3000-3009'],
];

/** `faceless <command> …`: commander picks the command (or suggests one) and hands it the rest of the line. */
function router(): Command {
  const program = cliCommand('faceless', 'topic in, faceless YouTube video out').enablePositionalOptions().helpCommand(false)
    .version(version(), '-v, --version', 'print the version');
  for (const [name, description] of COMMANDS) {
    program.command(name).description(description).helpOption(false).passThroughOptions().allowUnknownOption().argument('[args...]');
  }
  return program.configureHelp({ formatHelp: () => `${USAGE}\n` });
}

const serveCli = (): Command => cliCommand('faceless serve', 'Serves the HTTP API (the gateway and every stage) in one process; Ctrl-C stops it.')
  .option('--port <n>', 'the port to listen on, 0-65535 (0: any free port)', '3000')
  .option('--host <host>', 'the address to listen on', '127.0.0.1');

const stackCli = (): Command => cliCommand('faceless stack', 'Starts the ten services on ports 3000-3009, each in its own process, and starts a service that exits again with backoff; Ctrl-C or SIGTERM stops them.')
  .option('--replicas <list>', 'processes of stage services, e.g. uploader=2,video-assembler=3 (a further replica listens on the seed port + 100·k; the orchestrator spreads its calls over them)')
  .addHelpText('after', '\nEnvironment: REDIS_URL, AMQP_URL, DATABASE_URL, S3_* (see README.md); LOG_LEVEL=debug shows every service\'s log lines.');

const voicesCli = (): Command => cliCommand('faceless voices', 'Lists the voices of the speech provider (for faceless make --voice).')
  .option('--lang <code>', 'only the voices that speak this language (en, fr, es, de, it, pt)');

const doctorCli = (): Command => cliCommand('faceless doctor', 'Checks ffmpeg, the voice engine and the data folder.');

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs one CLI command and returns the exit code: 0 done, 1 failed, 2 bad usage, 130 interrupted. */
export async function main(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const write = (text: string): void => { process.stdout.write(text); };
  try {
    // `faceless help abtest create` is `faceless abtest create --help`
    const words = argv[0] === 'help' && argv.length > 1 ? [...argv.slice(1), '--help'] : argv[0] === 'help' ? ['--help'] : argv;
    const routed = parseCli(router(), words, write);
    if ('help' in routed) return routed.help;
    const command = routed.command.name();
    const rest = (routed.args[0] ?? []) as string[];
    /** The rest of the line parsed by the command's own declaration; { help } when its help was printed. */
    const parse = (cli: Command): ReturnType<typeof parseCli> => parseCli(cli, rest, write);
    switch (command) {
      case 'doctor': {
        const parsed = parse(doctorCli());
        if ('help' in parsed) return parsed.help;
        const config = readCliConfig(env);
        const checks = await runDoctor(config.dataDir);
        write(formatChecks(checks));
        return checks.some((c) => c.required && !c.ok) ? 1 : 0;
      }
      case 'stack': {
        const parsed = parse(stackCli());
        if ('help' in parsed) return parsed.help;
        const { startStack, parseReplicas } = await import('./stack.ts');
        let replicas: Record<string, number>;
        try {
          replicas = parseReplicas(String(parsed.values.replicas ?? ''));
        } catch (err) {
          throw new UsageError('--replicas', (err as Error).message.replace(/^--replicas: /, ''));
        }
        const stackEnv = { ...env };
        const { defaultKeysFilePath } = await import('@faceless/api-gateway');
        if (!env.API_KEYS && !env.API_KEYS_FILE && !env.AUTH_DISABLED && !existsSync(defaultKeysFilePath(env))) {
          stackEnv.AUTH_DISABLED = 'true';
          process.stderr.write('faceless stack: no API key exists, so the gateway on :3000 accepts requests without a key (create one: faceless keys create <name>)\n');
        }
        const stack = await startStack({
          env: stackEnv,
          replicas,
          onReady: (name, url) => write(`✓ ${name.padEnd(17)} ${url}\n`),
          ...(env.LOG_LEVEL === 'debug' ? { onLine: (name: string, line: string) => write(`${name}: ${line}\n`) } : {}),
          // A service that dies is started again with backoff: only Ctrl-C or SIGTERM stops the stack.
          supervise: {
            onExit: (name, info) => process.stderr.write(`faceless stack: ${name} exited (${info.code ?? info.signal ?? 'unknown'}); starting it again in ${Math.round(info.delayMs / 1000)} s${info.tail ? `\n${info.tail}` : ''}\n`),
            onRestarted: (name, url) => write(`✓ ${name.padEnd(17)} ${url} (started again)\n`),
            onRestartFailed: (name, error) => process.stderr.write(`faceless stack: ${name} did not come back: ${error.message}\n`),
          },
        });
        write(`All ten services are ready: POST ${stack.url('api-gateway')}/api/pipelines/start. Ctrl-C stops them.\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await stack.stop();
        return 0;
      }
      case 'serve': {
        const parsed = parse(serveCli());
        if ('help' in parsed) return parsed.help;
        const { port: portText, host } = parsed.values as { port: string; host: string };
        const port = /^\d+$/.test(portText.trim()) ? Number(portText) : Number.NaN;
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port', `"${portText}" is not a port number (0-65535)`);
        const { serveBanner, startServe } = await import('./serve-command.ts');
        const served = await startServe({ port, host, env });
        write(serveBanner(served));
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        process.stderr.write('\nStopping: running pipelines are cancelled (POST /api/pipelines/<id>/retry resumes them).\n');
        await served.close();
        return 0;
      }
      case 'voices': {
        const parsed = parse(voicesCli());
        if ('help' in parsed) return parsed.help;
        const values = parsed.values as { lang?: string };
        const { listVoices } = await import('@faceless/tts-renderer');
        const voices = await listVoices(env, values.lang);
        if (voices.length === 0) throw new UsageError('--lang', `no voice speaks "${values.lang ?? ''}"; try en, fr, es, de, it or pt`);
        for (const v of voices) write(`${v.id.padEnd(16)} ${v.name.padEnd(28)} ${v.languages.join(', ')}\n`);
        return 0;
      }
      case 'abtest': {
        const { runAbtestCommand } = await import('./abtest-command.ts');
        return await runAbtestCommand(rest, { env, stdout: process.stdout, stderr: process.stderr });
      }
      case 'keys': {
        const { keysCommand } = await import('./keys-command.ts');
        return await keysCommand(rest, { env, stdout: process.stdout, stderr: process.stderr });
      }
      case 'channels': {
        const { channelsCommand } = await import('./channels-command.ts');
        const controller = new AbortController();
        const onSigint = (): void => controller.abort(new Error('interrupted'));
        process.once('SIGINT', onSigint);
        try {
          return await channelsCommand(rest, env, { write, note: (t) => process.stderr.write(t), signal: controller.signal });
        } finally {
          process.off('SIGINT', onSigint);
        }
      }
      case 'publish': {
        const { publishCli, publishCommand } = await import('./publish-command.ts');
        const parsed = parse(publishCli());
        if ('help' in parsed) return parsed.help;
        const controller = new AbortController();
        const onSigint = (): void => {
          process.stderr.write('\nStopping… run the same command again to resume the upload where it stopped.\n');
          controller.abort(new Error('interrupted'));
        };
        process.once('SIGINT', onSigint);
        try {
          await publishCommand(parsed, { config: readCliConfig(env), env, write, signal: controller.signal });
          return 0;
        } finally {
          process.off('SIGINT', onSigint);
        }
      }
      case 'make': {
        const parsed = parse(makeCli());
        if ('help' in parsed) return parsed.help;
        const config = readCliConfig(env);
        const options = await makeOptionsFrom(parsed);
        if (options.publishTo) {
          const { assertYouTubeChannel } = await import('./publish-command.ts');
          await assertYouTubeChannel(options.publishTo, '--publish', env);
        }
        const controller = new AbortController();
        const onSigint = (): void => {
          process.stderr.write('\nStopping… run the same command again to resume where it stopped.\n');
          controller.abort(new Error('interrupted'));
        };
        process.once('SIGINT', onSigint);
        process.once('SIGTERM', onSigint);
        try {
          const isTTY = Boolean(process.stdout.isTTY);
          const made = await makeCommand(options, {
            config, env, signal: controller.signal, out: { write, isTTY, note: (text) => process.stderr.write(text) },
          });
          write(summary(made.checkpoint, options.outDir, process.cwd(), config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : join(config.dataDir, 'db')));
          if (made.timings) write(formatWaterfall(made.timings, { width: isTTY ? process.stdout.columns : 120, ansi: isTTY }));
          return 0;
        } catch (err) {
          if (controller.signal.aborted) {
            process.stderr.write(`Interrupted. Everything finished so far is kept in ${options.outDir}; run the same command to resume.\n`);
            return 130;
          }
          throw err;
        } finally {
          process.off('SIGINT', onSigint);
          process.off('SIGTERM', onSigint);
        }
      }
      default:
        throw new UsageError(command, 'unknown command; see "faceless --help"');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`faceless: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`faceless: ${failureMessage(err)}\n`);
    if (env.LOG_LEVEL === 'debug') process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 1;
  }
}
