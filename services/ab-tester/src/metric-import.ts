/**
 * Metrics in, as rows per variant per period: JSON rows, our CSV, or YouTube's channel_reach_basic_a1
 * report. Pure parsing and attribution; the service stores what comes out.
 */
import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';
import { pacificDayPeriod, parsePacificDate } from './rotation-plan.ts';

/** One row of POST /abtest/:id/metrics: a period given by `date` (a Pacific day) or by start and end. */
export const MetricRowInput = z.strictObject({
  /** Variant label; without it the row goes to the variant live over the period. */
  variant: z.string().min(1).optional(),
  date: z.string().optional(),
  periodStart: z.string().datetime({ offset: true }).optional(),
  periodEnd: z.string().datetime({ offset: true }).optional(),
  impressions: z.number().int().min(0),
  clicks: z.number().int().min(0),
  views: z.number().int().min(0).optional(),
  avgViewDurationSec: z.number().min(0).optional(),
});
export type MetricRowInput = z.infer<typeof MetricRowInput>;

export const MetricRowsInput = z.strictObject({ rows: z.array(MetricRowInput).min(1).max(10_000) });

/** A row ready to attribute and store. */
export interface MetricRow {
  /** Where it came from, for messages: "rows.3" or "line 4". */
  where: string;
  variant?: string;
  start: Date;
  end: Date;
  impressions: number;
  clicks: number;
  views: number | null;
  avgViewDurationSec: number | null;
}

function bad(field: string, message: string): FacelessError {
  return new FacelessError('INVALID_INPUT', message, { field });
}

/** Checks one row's period and counts; `where` names it in errors. */
export function normalizeRow(row: MetricRowInput, where: string): MetricRow {
  let start: Date;
  let end: Date;
  if (row.date !== undefined) {
    if (row.periodStart !== undefined || row.periodEnd !== undefined) throw bad(`${where}.date`, `${where}: give either date or periodStart/periodEnd, not both`);
    const day = parsePacificDate(row.date);
    if (day === undefined) throw bad(`${where}.date`, `${where}: date "${row.date}" is not a day: write YYYY-MM-DD (a Pacific day, as YouTube reports use)`);
    ({ start, end } = pacificDayPeriod(day));
  } else {
    if (row.periodStart === undefined || row.periodEnd === undefined) {
      throw bad(`${where}.${row.periodStart === undefined ? 'periodStart' : 'periodEnd'}`, `${where}: give a date (YYYY-MM-DD) or both periodStart and periodEnd (ISO 8601 with an offset)`);
    }
    start = new Date(row.periodStart);
    end = new Date(row.periodEnd);
    if (!(end > start)) throw bad(`${where}.periodEnd`, `${where}: periodEnd ${row.periodEnd} must be after periodStart ${row.periodStart}`);
  }
  if (row.clicks > row.impressions) {
    throw bad(`${where}.clicks`, `${where}: clicks (${row.clicks}) are more than impressions (${row.impressions}): clicks count impressions that were clicked`);
  }
  return {
    where, start, end, impressions: row.impressions, clicks: row.clicks,
    views: row.views ?? null, avgViewDurationSec: row.avgViewDurationSec ?? null,
    ...(row.variant !== undefined ? { variant: row.variant } : {}),
  };
}

// ---------- CSV ----------

/** RFC 4180 records: commas, double-quoted fields with "" escapes, CRLF or LF; a BOM is dropped. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\n') endRecord();
    else if (c === '\r') { if (text[i + 1] !== '\n') endRecord(); } else field += c;
  }
  if (quoted) throw bad('csv', `the CSV ends inside a quoted field (line ${records.length + 1}): close the quote`);
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

/** The header of our own metrics CSV; `date` may replace period_start and period_end, and `variant` may be left out. */
export const METRICS_CSV_HEADER = 'variant,period_start,period_end,impressions,clicks,views,avg_view_duration_sec';

const CSV_COLUMNS = ['variant', 'date', 'period_start', 'period_end', 'impressions', 'clicks', 'views', 'avg_view_duration_sec'] as const;

export type CsvFormat = 'metrics' | 'reach-report';

/** Our CSV or a channel_reach_basic_a1 report, told apart by the header. */
export function csvFormat(header: readonly string[]): CsvFormat {
  return header.map((h) => h.trim().toLowerCase()).includes('video_thumbnail_impressions') ? 'reach-report' : 'metrics';
}

function columnIndex(header: readonly string[]): Map<string, number> {
  const map = new Map<string, number>();
  header.forEach((h, i) => map.set(h.trim().toLowerCase(), i));
  return map;
}

function wholeNumber(text: string, column: string, line: number): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isSafeInteger(n) || n < 0) throw bad(column, `line ${line}: ${column} "${text}" is not a whole number ≥ 0`);
  return n;
}

/** Rows of our metrics CSV (see METRICS_CSV_HEADER); empty views or avg_view_duration_sec cells mean unknown. */
export function parseMetricsCsv(text: string): MetricRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header) throw bad('csv', `the CSV is empty: the first line must be the header, e.g. ${METRICS_CSV_HEADER}`);
  const col = columnIndex(header);
  const unknown = header.map((h) => h.trim().toLowerCase()).filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) throw bad(unknown[0]!, `unknown column ${unknown.join(', ')}: the header is ${METRICS_CSV_HEADER} (or date instead of period_start,period_end)`);
  for (const need of ['impressions', 'clicks']) {
    if (!col.has(need)) throw bad(need, `the CSV has no ${need} column: the header is ${METRICS_CSV_HEADER}`);
  }
  if (!col.has('date') && !(col.has('period_start') && col.has('period_end'))) {
    throw bad('date', `the CSV needs a date column (YYYY-MM-DD, a Pacific day) or period_start and period_end columns: the header is ${METRICS_CSV_HEADER}`);
  }
  return records.map((rec, i) => {
    const line = i + 2;
    if (rec.length !== header.length) throw bad('csv', `line ${line} has ${rec.length} fields where the header has ${header.length}`);
    const cell = (name: string): string | undefined => {
      const at = col.get(name);
      const v = at === undefined ? undefined : rec[at]?.trim();
      return v === '' ? undefined : v;
    };
    const views = cell('views');
    const avg = cell('avg_view_duration_sec');
    const avgN = avg === undefined ? undefined : Number(avg);
    if (avgN !== undefined && !(Number.isFinite(avgN) && avgN >= 0)) throw bad('avg_view_duration_sec', `line ${line}: avg_view_duration_sec "${avg}" is not a number of seconds ≥ 0`);
    const periodStart = cell('period_start');
    const periodEnd = cell('period_end');
    for (const [name, v] of [['period_start', periodStart], ['period_end', periodEnd]] as const) {
      if (v !== undefined && Number.isNaN(Date.parse(v))) throw bad(name, `line ${line}: ${name} "${v}" is not an ISO 8601 time, e.g. 2025-03-10T07:00:00Z`);
    }
    const row: MetricRowInput = {
      impressions: wholeNumber(cell('impressions') ?? '', 'impressions', line),
      clicks: wholeNumber(cell('clicks') ?? '', 'clicks', line),
      ...(cell('variant') ? { variant: cell('variant') } : {}),
      ...(cell('date') ? { date: cell('date') } : {}),
      ...(periodStart ? { periodStart: new Date(periodStart).toISOString() } : {}),
      ...(periodEnd ? { periodEnd: new Date(periodEnd).toISOString() } : {}),
      ...(views !== undefined ? { views: wholeNumber(views, 'views', line) } : {}),
      ...(avgN !== undefined ? { avgViewDurationSec: avgN } : {}),
    };
    try {
      return normalizeRow(row, `line ${line}`);
    } catch (err) {
      // name the CSV column rather than the JSON field
      if (err instanceof FacelessError && err.field) {
        const column = err.field.split('.').pop()!.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        throw new FacelessError(err.code, err.message, { field: column });
      }
      throw err;
    }
  });
}

export interface ReachReportResult {
  /** One row per Pacific day for the video, summed over the report's other dimensions. */
  rows: MetricRow[];
  /** Rows of the report for the video, before summing by day. */
  matched: number;
  /** Rows for other videos. */
  otherVideos: number;
}

/**
 * A channel_reach_basic_a1 report (CSV as the Reporting API serves it) for one video: rows are split
 * by other dimensions, so each day's impressions are summed and its clicks are the sum of
 * round(impressions × ctr) of its rows. The ctr is a fraction (0.05 = 5%).
 */
export function parseReachReport(text: string, videoId: string): ReachReportResult {
  const [header, ...records] = parseCsv(text);
  if (!header) throw bad('csv', 'the report is empty');
  const col = columnIndex(header);
  for (const need of ['date', 'video_id', 'video_thumbnail_impressions', 'video_thumbnail_impressions_ctr']) {
    if (!col.has(need)) throw bad(need, `the channel_reach_basic_a1 report has no ${need} column: pass the report's CSV unchanged`);
  }
  const days = new Map<number, MetricRow>();
  let matched = 0;
  let otherVideos = 0;
  records.forEach((rec, i) => {
    const line = i + 2;
    const get = (name: string): string => rec[col.get(name)!]?.trim() ?? '';
    if (get('video_id') !== videoId) {
      otherVideos++;
      return;
    }
    matched++;
    const day = parsePacificDate(get('date'));
    if (day === undefined) throw bad('date', `line ${line}: date "${get('date')}" is not YYYYMMDD`);
    const impressions = wholeNumber(get('video_thumbnail_impressions'), 'video_thumbnail_impressions', line);
    const ctrText = get('video_thumbnail_impressions_ctr');
    const ctr = ctrText === '' ? 0 : Number(ctrText);
    if (!(Number.isFinite(ctr) && ctr >= 0 && ctr <= 1)) {
      throw bad('video_thumbnail_impressions_ctr', `line ${line}: video_thumbnail_impressions_ctr "${ctrText}" is not a fraction from 0 to 1`);
    }
    const clicks = Math.round(impressions * ctr);
    const prev = days.get(day);
    if (prev) {
      prev.impressions += impressions;
      prev.clicks += clicks;
    } else {
      const { start, end } = pacificDayPeriod(day);
      days.set(day, { where: `line ${line}`, start, end, impressions, clicks, views: null, avgViewDurationSec: null });
    }
  });
  return { rows: [...days.values()].sort((a, b) => a.start.getTime() - b.start.getTime()), matched, otherVideos };
}

// ---------- attribution ----------

export interface LiveWindow {
  variantId: string;
  startedAt: string;
  /** null while the rotation is open. */
  endedAt: string | null;
}

/** Share of a period one variant must have been live for the period to count for it. */
export const MIN_LIVE_SHARE = 0.95;

/**
 * The variant live over a period, from the rotations actually recorded. A period counts for a variant
 * live for at least 95% of it (a rotation done a little after midnight still counts); a period with
 * several variants live, or outside the experiment, is skipped with the reason.
 */
export function attributePeriod(
  period: { start: Date; end: Date },
  windows: readonly LiveWindow[],
  labelOf: (variantId: string) => string,
): { variantId: string } | { reason: string } {
  const from = period.start.getTime();
  const to = period.end.getTime();
  const live = new Map<string, number>();
  for (const w of windows) {
    const s = Math.max(from, Date.parse(w.startedAt));
    const e = Math.min(to, w.endedAt === null ? Infinity : Date.parse(w.endedAt));
    if (e > s) live.set(w.variantId, (live.get(w.variantId) ?? 0) + (e - s));
  }
  const length = to - from;
  const shares = [...live.entries()].map(([id, ms]) => ({ id, share: ms / length })).sort((a, b) => b.share - a.share);
  const top = shares[0];
  if (top && top.share >= MIN_LIVE_SHARE) return { variantId: top.id };
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  if (shares.length === 0) return { reason: 'no variant of the experiment was live then' };
  if (shares.length === 1) return { reason: `${labelOf(top!.id)} was live for only ${pct(top!.share)} of the period (the experiment started or ended inside it)` };
  return { reason: `several variants were live: ${shares.map((s) => `${labelOf(s.id)} ${pct(s.share)}`).join(', ')}` };
}
