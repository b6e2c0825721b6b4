import { FacelessError, type Database } from '@faceless/runtime';

/** Reservations whose time is this far past are dropped: their slot is history. */
const KEEP_PAST_MS = 2 * 24 * 3600_000;

export interface SlotReservation {
  /** The publish target ("youtube", "local"): each keeps its own channels' slots. */
  target: string;
  channel: string;
  pipelineId: string;
  now: Date;
  /** Times already planned on the channel (its videos), read before the reservation. */
  planned: () => Promise<Date[]>;
  /** The slot to take, given every time already taken. */
  choose: (taken: Date[]) => Date;
}

/**
 * The publish slots reserved on each channel (table publish_slots), shared by every replica: a slot is chosen
 * and written in one transaction under the channel's advisory lock, before the (long) upload starts, and a
 * unique (target, channel, publish_at) makes a second holder of a slot impossible. A pipeline keeps its
 * reservation when it runs again.
 */
export class SlotTable {
  constructor(private readonly db: Database) {}

  async reserve(o: SlotReservation): Promise<Date> {
    // Read first: a transaction may use only its own connection (PGlite would wait for itself).
    const planned = await o.planned();
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`publish_slots/${o.target}/${o.channel}`]);
      const { rows } = await tx.query<{ pipeline_id: string; publish_at: Date | string }>(
        'SELECT pipeline_id, publish_at FROM publish_slots WHERE target = $1 AND channel = $2', [o.target, o.channel],
      );
      const mine = rows.find((r) => r.pipeline_id === o.pipelineId);
      if (mine) return new Date(mine.publish_at);
      const slot = o.choose([...planned, ...rows.map((r) => new Date(r.publish_at))]);
      await tx.query('DELETE FROM publish_slots WHERE target = $1 AND channel = $2 AND publish_at < $3', [o.target, o.channel, new Date(o.now.getTime() - KEEP_PAST_MS)]);
      try {
        await tx.query(
          'INSERT INTO publish_slots (target, channel, pipeline_id, publish_at, reserved_at) VALUES ($1, $2, $3, $4, $5)',
          [o.target, o.channel, o.pipelineId, slot, o.now],
        );
      } catch (err) {
        // Only a writer that bypassed the lock can get here (23505 unique_violation): the next attempt chooses again.
        if ((err as { code?: string }).code !== '23505') throw err;
        throw new FacelessError('CONFLICT', `publish slot ${slot.toISOString()} on channel ${o.channel} was taken by another pipeline meanwhile: retry`, { field: 'publishAt', retryable: true, cause: err });
      }
      return slot;
    });
  }

  /** The reservations of a channel, oldest slot first. */
  async list(target: string, channel: string): Promise<Array<{ pipelineId: string; publishAt: string }>> {
    const { rows } = await this.db.query<{ pipeline_id: string; publish_at: Date | string }>(
      'SELECT pipeline_id, publish_at FROM publish_slots WHERE target = $1 AND channel = $2 ORDER BY publish_at', [target, channel],
    );
    return rows.map((r) => ({ pipelineId: r.pipeline_id, publishAt: new Date(r.publish_at).toISOString() }));
  }
}
