import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';
import type { ApiContext } from './api-context.ts';
import { failedResponseError } from './google-error.ts';
import { readJson, sendAuthorized, withBackoff } from './youtube-http.ts';

/** The bulk report with thumbnail impressions and their click-through rate. */
export const REACH_REPORT_TYPE = 'channel_reach_basic_a1';

export const ReportingJob = z.looseObject({
  id: z.string().min(1),
  reportTypeId: z.string(),
  name: z.string().optional(),
  createTime: z.string().optional(),
  systemManaged: z.boolean().optional(),
});
export type ReportingJob = z.infer<typeof ReportingJob>;

export const ReportingReport = z.looseObject({
  id: z.string().min(1),
  jobId: z.string().optional(),
  startTime: z.string(),
  endTime: z.string(),
  createTime: z.string().optional(),
  downloadUrl: z.string().min(1),
});
export type ReportingReport = z.infer<typeof ReportingReport>;

const JobList = z.looseObject({ jobs: z.array(ReportingJob).default([]), nextPageToken: z.string().optional() });
const ReportList = z.looseObject({ reports: z.array(ReportingReport).default([]), nextPageToken: z.string().optional() });

/** A cap on pages, so a server that always sends a nextPageToken cannot loop forever. */
const MAX_PAGES = 100;

async function getJson<T>(ctx: ApiContext, operation: string, url: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> {
  return withBackoff(async () => {
    const { res, token } = await sendAuthorized(ctx.tokens, { operation, method: 'GET', url, signal, timeoutMs: ctx.requestTimeoutMs });
    if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
    return readJson(res, schema, operation);
  }, ctx.retry, signal);
}

async function listAll<P, T>(fetchPage: (pageToken: string | undefined) => Promise<P>, items: (page: P) => T[], next: (page: P) => string | undefined): Promise<T[]> {
  const all: T[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const p = await fetchPage(pageToken);
    all.push(...items(p));
    pageToken = next(p);
    if (!pageToken) return all;
  }
  return all;
}

/**
 * The channel's reporting job for `channel_reach_basic_a1`, created when there is none. Reports
 * start about 48 h after the job is created, then come daily.
 */
export async function ensureReachJob(ctx: ApiContext, options: { signal?: AbortSignal; name?: string } = {}): Promise<ReportingJob> {
  const base = `${ctx.reportingUrl}/v1/jobs`;
  const jobs = await listAll(
    (pageToken) => getJson(ctx, 'jobs.list', pageToken ? `${base}?pageToken=${encodeURIComponent(pageToken)}` : base, JobList, options.signal),
    (p) => p.jobs,
    (p) => p.nextPageToken,
  );
  const existing = jobs.find((j) => j.reportTypeId === REACH_REPORT_TYPE);
  if (existing) return existing;
  // Not retried here: a create whose answer was lost would make a second job; a rerun lists first.
  const operation = 'jobs.create';
  const { res, token } = await sendAuthorized(ctx.tokens, {
    operation,
    method: 'POST',
    url: base,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: () => JSON.stringify({ reportTypeId: REACH_REPORT_TYPE, name: options.name ?? 'faceless reach' }),
    signal: options.signal,
    timeoutMs: ctx.requestTimeoutMs,
  });
  if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
  return readJson(res, ReportingJob, operation);
}

export interface ListReportsOptions {
  /** Only reports created after this instant (ISO 8601 or Date). */
  createdAfter?: string | Date;
  signal?: AbortSignal;
}

/** Every report of a job, following the pages. */
export async function listReports(ctx: ApiContext, jobId: string, options: ListReportsOptions = {}): Promise<ReportingReport[]> {
  const base = `${ctx.reportingUrl}/v1/jobs/${encodeURIComponent(jobId)}/reports`;
  const createdAfter = options.createdAfter instanceof Date ? options.createdAfter.toISOString() : options.createdAfter;
  return listAll(
    (pageToken) => {
      const q = new URLSearchParams();
      if (createdAfter) q.set('createdAfter', createdAfter);
      if (pageToken) q.set('pageToken', pageToken);
      const query = q.toString();
      return getJson(ctx, 'reports.list', query ? `${base}?${query}` : base, ReportList, options.signal);
    },
    (p) => p.reports,
    (p) => p.nextPageToken,
  );
}

/** A report's CSV text. Only URLs on the Reporting API's host get the channel's token. */
export async function downloadReport(ctx: ApiContext, downloadUrl: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  const operation = 'media.download';
  let target: URL;
  try {
    target = new URL(downloadUrl);
  } catch (err) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `the report's downloadUrl "${downloadUrl.slice(0, 120)}" is not a URL`, { cause: err });
  }
  if (target.origin !== new URL(ctx.reportingUrl).origin) {
    throw new FacelessError('PROVIDER_BAD_RESPONSE', `the report's downloadUrl is on ${target.origin}, not on the Reporting API (${new URL(ctx.reportingUrl).origin}); the channel's token is not sent there`);
  }
  return withBackoff(async () => {
    const { res, token } = await sendAuthorized(ctx.tokens, { operation, method: 'GET', url: target.toString(), signal: options.signal, timeoutMs: ctx.requestTimeoutMs });
    if (!res.ok) throw await failedResponseError(res, { operation, secrets: [token] });
    return res.text();
  }, ctx.retry, options.signal);
}
