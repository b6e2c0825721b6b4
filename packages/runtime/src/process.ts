import { spawn } from 'node:child_process';
import { FacelessError } from './errors.ts';

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

/** Spawns a command and resolves with its output; a non-zero exit becomes MEDIA_FAILED with the tail of stderr. */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
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
