/**
 * When each variant is live: pure functions of time. A 24 h rotation follows the Pacific calendar
 * day (YouTube's reporting day and quota day), so a day has 23 or 25 hours across a DST change;
 * other rotations are fixed blocks of N hours counted from the Unix epoch, so hourly periods start
 * on the hour.
 */
import { FacelessError } from '@faceless/runtime';

export const ROTATION_TIME_ZONE = 'America/Los_Angeles';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface Period {
  /** Periods since the epoch for this rotation length; consecutive periods differ by 1. */
  index: number;
  start: Date;
  /** Exclusive. */
  end: Date;
}

const pacificParts = new Intl.DateTimeFormat('en-US', {
  timeZone: ROTATION_TIME_ZONE, hourCycle: 'h23',
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
});

/** The Pacific wall-clock time of an instant, read as if it were UTC (whole seconds). */
function pacificWallClock(ms: number): number {
  const p: Record<string, number> = {};
  for (const part of pacificParts.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** Pacific offset from UTC at an instant, in ms (−8 h in winter, −7 h in summer). */
function pacificOffset(ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return pacificWallClock(whole) - whole;
}

/** Days since 1970-01-01 of the Pacific calendar date at this instant. */
export function pacificDayNumber(at: Date): number {
  return Math.floor(pacificWallClock(at.getTime()) / DAY_MS);
}

/** The instant of midnight Pacific that starts a Pacific day (Los Angeles changes clocks at 02:00, so midnight always exists once). */
export function pacificMidnight(dayNumber: number): Date {
  const wall = dayNumber * DAY_MS;
  const guess = wall - pacificOffset(wall);
  return new Date(wall - pacificOffset(guess));
}

/** A Pacific day from "YYYY-MM-DD" or "YYYYMMDD" (the reports' form); undefined when it is neither. */
export function parsePacificDate(text: string): number | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return ms / DAY_MS;
}

export function pacificDayPeriod(dayNumber: number): { start: Date; end: Date } {
  return { start: pacificMidnight(dayNumber), end: pacificMidnight(dayNumber + 1) };
}

export function checkRotationHours(hours: number): void {
  if (!Number.isInteger(hours) || hours < 1 || hours > 168) {
    throw new FacelessError('INVALID_INPUT', `rotationHours must be a whole number of hours from 1 to 168 (24 = every day at midnight Pacific), got ${hours}`, { field: 'rotationHours' });
  }
}

/** The rotation period holding an instant: whole Pacific days when hours is a multiple of 24, else N-hour blocks. */
export function periodAt(at: Date, rotationHours: number): Period {
  checkRotationHours(rotationHours);
  if (rotationHours % 24 === 0) {
    const days = rotationHours / 24;
    const index = Math.floor(pacificDayNumber(at) / days);
    return { index, start: pacificMidnight(index * days), end: pacificMidnight((index + 1) * days) };
  }
  const length = rotationHours * HOUR_MS;
  const index = Math.floor(at.getTime() / length);
  return { index, start: new Date(index * length), end: new Date((index + 1) * length) };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Periods after which the period's place in the week (days) or in the day (hours) repeats. */
export function calendarCycle(rotationHours: number): number {
  checkRotationHours(rotationHours);
  if (rotationHours % 24 === 0) return 7 / gcd(7, rotationHours / 24);
  return 24 / gcd(24, rotationHours);
}

export const ROTATION_DESIGNS = ['counterbalanced', 'round-robin'] as const;
/**
 * counterbalanced: blocks that run forward then back (ABBA, ABCCBA), so a linear trend over a block
 * touches every variant alike; round-robin (ABAB…): the plan of experiments made before it, kept so
 * that they rotate on as they started.
 */
export type RotationDesign = (typeof ROTATION_DESIGNS)[number];

export interface RotationPlan {
  design: RotationDesign;
  /** Periods at the start during which the first variant stays live (the launch, left out of the verdict). */
  launchPeriods: number;
}

const lcm = (a: number, b: number): number => (a * b) / gcd(a, b);

/**
 * Position of the variant live in the n-th period of an experiment (0 = the period it started in).
 * After `launchPeriods` of the first variant, counterbalanced blocks that run forward then back, the
 * labels moving on by one each block: ABBA BAAB for 2 variants, ABCCBA BCAACB CABBAC for 3. Within a
 * block every variant's mean position is the same, so a linear trend cancels; over `variants` blocks
 * every variant has held the block's ends once, so a curved one (a fading launch) cancels too. After
 * each lcm(variants × block, calendar cycle) periods the labels move on by one more, so that every
 * variant has every weekday (daily) or every hour slot (hourly) equally often: daily with 2 variants,
 * each weekday 4 times per variant every 56 days.
 * The round-robin design (ABAB…, shifted by one after lcm(variants, cycle) periods) is what earlier
 * experiments were started with.
 */
export function variantPositionForPeriod(n: number, variantCount: number, rotationHours: number, plan: Partial<RotationPlan> = {}): number {
  if (!Number.isInteger(variantCount) || variantCount < 1) throw new Error(`variantCount must be ≥ 1, got ${variantCount}`);
  if (!Number.isInteger(n) || n < 0) throw new Error(`period number must be ≥ 0, got ${n}`);
  const launch = plan.launchPeriods ?? 0;
  if (!Number.isInteger(launch) || launch < 0) throw new Error(`launchPeriods must be a whole number ≥ 0, got ${launch}`);
  if (n < launch) return 0;
  const m = n - launch;
  const cycle = calendarCycle(rotationHours);
  if ((plan.design ?? 'counterbalanced') === 'round-robin') {
    return (m + Math.floor(m / lcm(variantCount, cycle))) % variantCount;
  }
  const block = 2 * variantCount;
  const p = m % block;
  const forwardOrBack = p < variantCount ? p : block - 1 - p;
  const shift = Math.floor(m / block) + Math.floor(m / lcm(block * variantCount, cycle));
  return (forwardOrBack + shift) % variantCount;
}

/** What should be live at `now` for an experiment started at `startedAt`. */
export function plannedPosition(input: { startedAt: Date; now: Date; rotationHours: number; variantCount: number; plan?: Partial<RotationPlan> }): { period: Period; n: number; position: number } {
  const period = periodAt(input.now, input.rotationHours);
  const n = Math.max(0, period.index - periodAt(input.startedAt, input.rotationHours).index);
  return { period, n, position: variantPositionForPeriod(n, input.variantCount, input.rotationHours, input.plan) };
}
