import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { FacelessError, parseJsonOrUndefined, withFileLock, writeFileAtomic } from '@faceless/runtime';
import type { SlotReserver } from './publish-target.ts';

const Reservation = z.object({ pipelineId: z.string(), publishAt: z.string(), reservedAt: z.string() });
const BookFile = z.object({ reservations: z.array(Reservation) });
type BookFile = z.infer<typeof BookFile>;

/** Reservations whose time is this far past are dropped: their slot is history. */
const KEEP_PAST_MS = 2 * 24 * 3600_000;

/**
 * The publish slots reserved on each local channel, `<dir>/<channel>.json` beside the channel folders (YouTube
 * channels reserve theirs in the database's publish_slots), shared by every process that publishes to the channel: a slot is chosen and written down under one file lock, before the
 * (long) upload starts, so that two runs publishing at once never pick the same slot. A pipeline
 * keeps its reservation when it runs again.
 */
export class SlotBook implements SlotReserver {
  constructor(readonly dir: string) {}

  file(channel: string): string {
    return join(this.dir, `${channel}.json`);
  }

  /**
   * The slot of `pipelineId` on `channel`: the one it reserved before, or the one `choose` picks
   * given the times already planned (`planned`, read under the lock) and the other reservations.
   */
  async reserve(o: { channel: string; pipelineId: string; now: Date; planned: () => Promise<Date[]>; choose: (taken: Date[]) => Date }): Promise<Date> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(o.channel);
    return withFileLock(file, { what: `the publish slots of channel ${o.channel}` }, async () => {
      const book = await this.read(file);
      const mine = book.reservations.find((r) => r.pipelineId === o.pipelineId);
      if (mine) return new Date(mine.publishAt);
      const reserved = book.reservations.map((r) => new Date(r.publishAt));
      const slot = o.choose([...(await o.planned()), ...reserved]);
      const reservations = book.reservations.filter((r) => Date.parse(r.publishAt) > o.now.getTime() - KEEP_PAST_MS);
      reservations.push({ pipelineId: o.pipelineId, publishAt: slot.toISOString(), reservedAt: o.now.toISOString() });
      await writeFileAtomic(file, `${JSON.stringify({ reservations }, null, 2)}\n`);
      return slot;
    });
  }

  private async read(file: string): Promise<BookFile> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { reservations: [] };
      throw new FacelessError('STORAGE_FAILED', `cannot read the publish slots ${file}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = BookFile.safeParse(parseJsonOrUndefined(text));
    if (!parsed.success) throw new FacelessError('CONFLICT', `the publish slots ${file} are damaged: move the file away (the slots already published stay known)`);
    return parsed.data;
  }
}
