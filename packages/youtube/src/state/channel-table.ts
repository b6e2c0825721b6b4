import type { Database } from '@faceless/runtime';
import {
  ChannelRecord, assertChannelName, unknownChannelError, validChannelRecord, type ChannelDirectory, type ChannelRecordInput,
} from '../auth/channel-store.ts';
import { FacelessError } from '@faceless/runtime';

/** The channels in the database (table youtube_channels), where every replica and the CLI find the same ones. */
export class ChannelTable implements ChannelDirectory {
  constructor(private readonly db: Database) {}

  async names(): Promise<string[]> {
    const { rows } = await this.db.query<{ name: string }>('SELECT name FROM youtube_channels ORDER BY name');
    return rows.map((r) => r.name);
  }

  async list(): Promise<ChannelRecord[]> {
    const { rows } = await this.db.query<{ name: string; record: unknown }>('SELECT name, record FROM youtube_channels ORDER BY name');
    return rows.map((r) => parseStored(r.name, r.record));
  }

  async get(name: string): Promise<ChannelRecord> {
    assertChannelName(name);
    const { rows } = await this.db.query<{ record: unknown }>('SELECT record FROM youtube_channels WHERE name = $1', [name]);
    if (!rows[0]) throw unknownChannelError(name, await this.names());
    return parseStored(name, rows[0].record);
  }

  async save(record: ChannelRecordInput): Promise<ChannelRecord> {
    const valid = validChannelRecord(record);
    await this.db.query(
      `INSERT INTO youtube_channels (name, record, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (name) DO UPDATE SET record = EXCLUDED.record, updated_at = EXCLUDED.updated_at`,
      [valid.name, JSON.stringify(valid)],
    );
    return valid;
  }

  async remove(name: string): Promise<void> {
    assertChannelName(name);
    const { rows } = await this.db.query<{ name: string }>('DELETE FROM youtube_channels WHERE name = $1 RETURNING name', [name]);
    if (!rows[0]) throw unknownChannelError(name, await this.names());
  }
}

function parseStored(name: string, record: unknown): ChannelRecord {
  const parsed = ChannelRecord.safeParse(typeof record === 'string' ? JSON.parse(record) : record);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'record'} ${i.message}`);
    throw new FacelessError('INVALID_INPUT', `channel "${name}" in the database is invalid (${problems.join('; ')}): run \`faceless channels add ${name}\` again`, { field: 'channel' });
  }
  return parsed.data;
}
