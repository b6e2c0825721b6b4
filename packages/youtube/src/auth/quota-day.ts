/** YouTube's quota day: the calendar day in America/Los_Angeles, which starts at local midnight (PST or PDT). */
const ZONE = 'America/Los_Angeles';

const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instant: number): WallClock {
  const fields: Record<string, number> = {};
  for (const p of parts.formatToParts(new Date(instant))) if (p.type !== 'literal') fields[p.type] = Number(p.value);
  return { year: fields.year!, month: fields.month!, day: fields.day!, hour: fields.hour!, minute: fields.minute!, second: fields.second! };
}

/** Milliseconds the Pacific wall clock is ahead of UTC at an instant (-8 h in winter, -7 h in summer). */
function offsetMs(instant: number): number {
  const w = wallClock(instant);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000;
}

/** The quota day of an instant, as YYYY-MM-DD. */
export function pacificDay(now: Date): string {
  const w = wallClock(now.getTime());
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The next midnight in Los Angeles after `now`: when the daily quota resets. */
export function nextReset(now: Date): Date {
  const w = wallClock(now.getTime());
  // Date.UTC normalises day+1 across month and year ends.
  const localMidnight = Date.UTC(w.year, w.month - 1, w.day + 1);
  // DST switches at 02:00, so midnight always exists once; the offset at a guess a few hours later is the same.
  let instant = localMidnight - offsetMs(localMidnight + 8 * 3_600_000);
  instant = localMidnight - offsetMs(instant);
  return new Date(instant);
}
