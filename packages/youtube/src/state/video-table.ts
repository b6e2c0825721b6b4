import type { Database } from '@faceless/runtime';
import type { ChannelVideo } from '../channel-videos.ts';

/**
 * The videos faceless uploaded to each channel (table youtube_channel_videos): the uploader picks free
 * publishing slots from them, and the A/B tester finds which channel's tokens a video needs.
 */
export class ChannelVideoTable {
  constructor(private readonly db: Database) {}

  async list(channel: string): Promise<ChannelVideo[]> {
    const { rows } = await this.db.query<{ pipeline_id: string; video_id: string; publish_at: Date | string }>(
      'SELECT pipeline_id, video_id, publish_at FROM youtube_channel_videos WHERE channel = $1 ORDER BY publish_at, video_id', [channel],
    );
    return rows.map((r) => ({ pipelineId: r.pipeline_id, videoId: r.video_id, publishAt: new Date(r.publish_at).toISOString() }));
  }

  async add(channel: string, video: ChannelVideo): Promise<void> {
    await this.db.query(
      'INSERT INTO youtube_channel_videos (channel, video_id, pipeline_id, publish_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [channel, video.videoId, video.pipelineId, new Date(video.publishAt)],
    );
  }

  /** The channel a video was uploaded to by faceless, if any. */
  async channelOf(videoId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ channel: string }>('SELECT channel FROM youtube_channel_videos WHERE video_id = $1 ORDER BY channel LIMIT 1', [videoId]);
    return rows[0]?.channel;
  }
}
