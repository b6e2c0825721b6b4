/** Publishing slots: daily UTC times ("HH:MM") at which a channel publishes, one video per slot. */

const SLOT = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Minutes after midnight UTC of a "HH:MM" slot; throws on anything else. */
export function parseSlot(slot: string): number {
  const m = SLOT.exec(slot.trim());
  if (!m) throw new Error(`"${slot}" is not a HH:MM time (24-hour clock, UTC), e.g. "15:00"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export interface NextFreeSlotOptions {
  now: Date;
  /** Daily slots as "HH:MM" in UTC, in any order. */
  slots: readonly string[];
  /** Publish times already planned on the channel. */
  taken: readonly Date[];
  /** How far ahead of now the slot must be, so there is time to upload and process. */
  leadMinutes?: number;
}

/** The first slot strictly after now + lead that no other video on the channel has. */
export function nextFreeSlot(options: NextFreeSlotOptions): Date {
  const minutes = [...new Set(options.slots.map(parseSlot))].sort((a, b) => a - b);
  if (minutes.length === 0) throw new Error('no publishing slots: give at least one "HH:MM" time');
  const earliest = options.now.getTime() + (options.leadMinutes ?? 60) * 60_000;
  const taken = new Set(options.taken.map((d) => d.getTime()));
  const firstDay = Date.UTC(options.now.getUTCFullYear(), options.now.getUTCMonth(), options.now.getUTCDate());
  // Each taken time can block at most one slot, so a free one exists within taken.size + 2 days.
  for (let day = 0; day <= taken.size + 2; day++) {
    for (const m of minutes) {
      const t = firstDay + day * DAY_MS + m * 60_000;
      if (t > earliest && !taken.has(t)) return new Date(t);
    }
  }
  throw new Error('unreachable: no free publishing slot found');
}
