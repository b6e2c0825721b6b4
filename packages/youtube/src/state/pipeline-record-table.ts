import type { Database } from '@faceless/runtime';

/**
 * A JSON document per channel and pipeline: the YouTube publication record (youtube_publications) or the
 * resumable upload's session (youtube_upload_sessions). The caller parses what it reads.
 */
export class PipelineRecordTable {
  private readonly column: string;

  constructor(private readonly db: Database, private readonly table: 'youtube_publications' | 'youtube_upload_sessions') {
    this.column = table === 'youtube_publications' ? 'record' : 'session';
  }

  async get(channel: string, pipelineId: string): Promise<unknown> {
    const { rows } = await this.db.query<{ doc: unknown }>(
      `SELECT ${this.column} AS doc FROM ${this.table} WHERE channel = $1 AND pipeline_id = $2`, [channel, pipelineId],
    );
    const doc = rows[0]?.doc;
    return typeof doc === 'string' ? JSON.parse(doc) : doc;
  }

  async put(channel: string, pipelineId: string, doc: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.table} (channel, pipeline_id, ${this.column}, updated_at) VALUES ($1, $2, $3::jsonb, now())
       ON CONFLICT (channel, pipeline_id) DO UPDATE SET ${this.column} = EXCLUDED.${this.column}, updated_at = EXCLUDED.updated_at`,
      [channel, pipelineId, JSON.stringify(doc)],
    );
  }

  async delete(channel: string, pipelineId: string): Promise<void> {
    await this.db.query(`DELETE FROM ${this.table} WHERE channel = $1 AND pipeline_id = $2`, [channel, pipelineId]);
  }
}
