import { GOP_FRAMES } from './video-format.ts';
import type { SegmentVisual } from './visuals.ts';

export interface EncodeSettings {
  /** x264 preset (veryfast by default: see the measurements in bench/). */
  preset: string;
  crf: number;
  /** Extra x264 options (`key=value:…`), e.g. the cheaper motion search the config picks by default. */
  x264Params?: string;
}

const COMMON = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-nostats', '-progress', 'pipe:1'] as const;

/**
 * YouTube's recommended video: H.264 High, yuv420p, closed GOP of half the frame rate
 * (no scene-cut keyframes, so GOPs stay regular).
 */
export function x264Args(encode: EncodeSettings, fps: number): string[] {
  return [
    '-c:v', 'libx264',
    '-preset', encode.preset,
    '-crf', String(encode.crf),
    '-profile:v', 'high',
    '-pix_fmt', 'yuv420p',
    '-r', String(fps),
    '-g', String(GOP_FRAMES),
    '-sc_threshold', '0',
    '-flags', '+cgop',
    ...(encode.x264Params ? ['-x264-params', encode.x264Params] : []),
  ];
}

/**
 * Input arguments for a chunk's visual: none for a generated background, the image for a still,
 * and for a clip a seek to where this chunk starts in it, looping when the clip is too short.
 */
export function visualInputArgs(visual: SegmentVisual, chunk: { offsetSec: number; durationSec: number; decoderThreads?: number }): string[] {
  switch (visual.kind) {
    case 'generated':
      return [];
    case 'image':
      return ['-i', visual.path];
    case 'clip': {
      const clipLength = Math.max(visual.durationSec, 0.001);
      const seek = chunk.offsetSec % clipLength;
      const loops = seek + chunk.durationSec > clipLength - 0.05;
      return [
        // Two decoder threads instead of one per core plus one: the same CPU, 35 MB less for a 4K clip,
        // and two chunks render side by side anyway. One when told (a chunk with others beside it, or
        // a transition's dozen frames): the same CPU again, 34 MB less for a 4K clip.
        '-threads', String(chunk.decoderThreads ?? 2),
        ...(loops ? ['-stream_loop', '-1'] : []),
        // Rounded down: rounding up (20/30 s → 0.667) would skip the frame at 0.6667 s.
        ...(seek > 0 ? ['-ss', (Math.floor(seek * 1000 + 1e-6) / 1000).toFixed(3)] : []),
        '-i', visual.path,
      ];
    }
  }
}

export interface ChunkArgsOptions {
  inputs: readonly string[];
  graph: string;
  frames: number;
  fps: number;
  encode: EncodeSettings;
  output: string;
  /**
   * x264 threads; absent lets x264 choose (frame threads for every core). One thread when other
   * chunks render beside it: the cores are busy anyway, and it costs less CPU and memory.
   */
  x264Threads?: number;
}

/** One chunk: video only, every frame counted, to be joined with the others by the concat demuxer. */
export function chunkRenderArgs(o: ChunkArgsOptions): string[] {
  return [
    ...COMMON,
    ...o.inputs,
    '-filter_complex', o.graph,
    '-map', '[v]',
    '-frames:v', String(o.frames),
    ...x264Args(o.encode, o.fps),
    ...(o.x264Threads ? ['-threads', String(o.x264Threads)] : []),
    '-an',
    o.output,
  ];
}

/** One JPEG from a poster graph's `[poster]`; ffmpeg stops after that frame. */
export function posterRenderArgs(o: { inputs: readonly string[]; graph: string; output: string }): string[] {
  return [...COMMON, ...o.inputs, '-filter_complex', o.graph, '-map', '[poster]', '-frames:v', '1', '-update', '1', '-q:v', '2', o.output];
}

/** The concat demuxer's list file (paths quoted as it expects). */
export function concatList(files: readonly string[]): string {
  return files.map((file) => `file '${file.replace(/'/g, "'\\''")}'`).join('\n') + '\n';
}

/**
 * The soundtrack, encoded once while the picture renders: AAC-LC 48 kHz stereo in an M4A, which the
 * mux then copies.
 */
export function audioEncodeArgs(o: { input: string; output: string; audioBitrate: string }): string[] {
  return [
    ...COMMON,
    '-i', o.input,
    '-map', '0:a:0',
    '-c:a', 'aac', '-profile:a', 'aac_low', '-b:a', o.audioBitrate, '-ar', '48000', '-ac', '2',
    o.output,
  ];
}

/**
 * Joins the chunks and adds the encoded soundtrack, both without re-encoding, moov atom first
 * (faststart) so that playback and upload processing start before the whole file is read.
 */
export function muxArgs(o: { concatListPath: string; audioPath: string; output: string }): string[] {
  return [
    ...COMMON,
    '-f', 'concat', '-safe', '0', '-i', o.concatListPath,
    '-i', o.audioPath,
    '-map', '0:v:0', '-map', '1:a:0',
    '-c', 'copy',
    '-movflags', '+faststart',
    o.output,
  ];
}

/** ffprobe of a media file's first video stream, decoding its first frame to catch corrupt files. */
export function probeVisualArgs(path: string): string[] {
  return [
    '-v', 'error',
    '-select_streams', 'v:0',
    '-count_frames', '-read_intervals', '%+#1',
    '-show_entries', 'stream=codec_name,width,height,nb_read_frames:format=format_name,duration',
    '-of', 'json',
    path,
  ];
}
