import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { FacelessError } from './errors.ts';
import { runStep } from './steps.ts';

export interface RunProcessOptions {
  signal?: AbortSignal;
  cwd?: string;
  /** Called with each complete stdout line (ffmpeg's `-progress pipe:1` writes key=value lines). */
  onStdoutLine?: (line: string) => void;
  input?: Buffer | string;
}

export interface ProcessResult {
  stdout: string;
  stderr: string;
}

/**
 * Spawns a command and resolves with its output; a non-zero exit becomes MEDIA_FAILED with the tail of stderr.
 * Each run is a 'faceless:step' named after the command, for `--timings` and the traces.
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return runStep(basename(command), () => summarizeArgs(command, args), () => spawnProcess(command, args, options));
}

function spawnProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new FacelessError('CANCELLED', `${command} was cancelled`));
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const onAbort = (): void => { child.kill('SIGKILL'); };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < 4_000_000) stdout += chunk;
      if (!options.onStdoutLine) return;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onStdoutLine(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (err.code === 'ENOENT') {
        reject(new FacelessError('MISSING_DEPENDENCY', `${command} is not installed: run "faceless doctor" to see how to install it`, { cause: err }));
      } else reject(new FacelessError('MEDIA_FAILED', `${command} could not start: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new FacelessError('CANCELLED', `${command} was cancelled`));
      if (code === 0) return resolve({ stdout, stderr });
      const tail = stderr.trim().split('\n').slice(-6).join('\n');
      reject(new FacelessError('MEDIA_FAILED', `${command} exited with code ${code}: ${tail}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}

const SUMMARY_MAX = 120;
const WORD_MAX = 40;
const QUIET_FLAGS = new Set(['-hide_banner', '-nostdin', '-nostats', '-y', '-n']);
/** Flags whose values say nothing about the work (log level, progress pipe, stream mapping). */
const QUIET_VALUE_FLAGS = new Set(['-v', '-loglevel', '-progress', '-print_format', '-map']);
/** Filter graphs run to kilobytes and name files: only their presence is kept. */
const GRAPH_FLAGS = new Set(['-filter_complex', '-lavfi', '-vf', '-af', '-filter:v', '-filter:a']);

/**
 * A step's summary: at most 120 characters of its arguments, files as basenames, URLs as their origin
 * (a query string may carry a key). For ffmpeg, the output first, then its inputs and output options.
 */
export function summarizeArgs(command: string, args: readonly string[]): string {
  const inputAt = args.lastIndexOf('-i');
  let words: string[];
  const last = args[args.length - 1];
  const hasOutput = last !== undefined && (last === '-' || !last.startsWith('-')) && args.length > inputAt + 2;
  if (basename(command) === 'ffmpeg' && hasOutput) {
    // A generated picture (lavfi in the filter graph) has no -i at all.
    const inputs = args.flatMap((arg, i) => (i > 0 && args[i - 1] === '-i' ? [shortenArg(arg)] : []));
    const shown = inputs.length > 3 ? [...inputs.slice(0, 3), `+${inputs.length - 3}`] : inputs;
    const output = shortenArg(last);
    const options = cleanArgs(args.slice(inputAt < 0 ? 0 : inputAt + 2, -1));
    words = [inputs.length > 0 ? `${output} ← ${shown.join(', ')}:` : `${output}:`, ...options];
  } else {
    words = cleanArgs(args);
  }
  const summary = words.join(' ');
  return summary.length > SUMMARY_MAX ? `${summary.slice(0, SUMMARY_MAX - 1)}…` : summary;
}

function cleanArgs(args: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (QUIET_FLAGS.has(arg)) continue;
    if (QUIET_VALUE_FLAGS.has(arg)) {
      i++;
      continue;
    }
    if (GRAPH_FLAGS.has(arg)) {
      words.push(arg, '…');
      i++;
      continue;
    }
    words.push(shortenArg(arg));
  }
  return words;
}

function shortenArg(arg: string): string {
  let word = arg;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) {
    try {
      word = `${new URL(arg).origin}/…`;
    } catch {
      word = 'url…';
    }
  } else if (arg.includes('/') && /[a-z]/i.test(arg)) {
    word = basename(arg) || arg;
  }
  return word.length > WORD_MAX ? `${word.slice(0, WORD_MAX - 1)}…` : word;
}

/** Reads `out_time_us` from ffmpeg's `-progress` lines as seconds; undefined for other lines. */
export function parseFfmpegProgressLine(line: string): number | undefined {
  const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line.trim());
  return m ? Number(m[1]) / 1_000_000 : undefined;
}

export interface ProbeStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  duration?: string;
}

export interface ProbeResult {
  format: { duration?: string; format_name: string; size?: string };
  streams: ProbeStream[];
}

/** ffprobe's JSON view of a media file. */
export async function ffprobe(path: string, signal?: AbortSignal): Promise<ProbeResult> {
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], signal ? { signal } : {});
  return JSON.parse(stdout) as ProbeResult;
}
