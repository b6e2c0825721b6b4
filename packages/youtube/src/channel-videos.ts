import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FacelessError, writeFileAtomic } from '@faceless/runtime';

export const ChannelVideo = z.object({ pipelineId: z.string(), videoId: z.string(), publishAt: z.string() });
export type ChannelVideo = z.infer<typeof ChannelVideo>;
const ChannelVideosFile = z.object({ entries: z.array(ChannelVideo) });

/**
 * The videos faceless uploaded to each channel, under `<dataDir>/youtube/schedule/<channel>.json`: the
 * uploader picks free publishing slots from it, and the A/B tester finds which channel's tokens a video needs.
 */
export class ChannelVideos {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'youtube', 'schedule');
  }

  file(channel: string): string {
    return join(this.dir, `${channel}.json`);
  }

  async list(channel: string): Promise<ChannelVideo[]> {
    const file = this.file(channel);
    try {
      return ChannelVideosFile.parse(JSON.parse(await readFile(file, 'utf8'))).entries;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new FacelessError('STORAGE_FAILED', `cannot read the channel's video list ${file}: ${(err as Error).message}; move the file away if it is damaged`, { cause: err });
    }
  }

  async add(channel: string, video: ChannelVideo): Promise<void> {
    const entries = await this.list(channel);
    if (entries.some((e) => e.videoId === video.videoId)) return;
    entries.push(video);
    const file = this.file(channel);
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify({ entries }, null, 2)}\n`);
  }

  /** The channel a video was uploaded to by faceless, if any. */
  async channelOf(videoId: string): Promise<string | undefined> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((f) => f.endsWith('.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    for (const name of names) {
      const channel = name.slice(0, -'.json'.length);
      if ((await this.list(channel)).some((e) => e.videoId === videoId)) return channel;
    }
    return undefined;
  }
}
