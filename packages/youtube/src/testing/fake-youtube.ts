import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A YouTube stand-in on 127.0.0.1 for tests: the resumable upload protocol (sessions, 308 + Range,
 * status queries, a final 201 with the video), videos.list/update, thumbnails.set, captions.insert/list and the Reporting
 * API (jobs, reports, CSV downloads), with failures the tests can arm. One base URL serves as
 * YOUTUBE_API_URL, YOUTUBE_UPLOAD_URL and YOUTUBE_REPORTING_URL.
 */

const CHUNK_UNIT = 256 * 1024;
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

export interface FakeYouTubeOptions {
  /** Which bearer tokens are accepted; any non-empty one by default. */
  isValidToken?: (token: string) => boolean;
  /** Whether the channel may set custom thumbnails (false → thumbnails.set answers 403 forbidden). */
  customThumbnails?: boolean;
  /** Items per page of jobs.list and reports.list. */
  pageSize?: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; the Authorization value is replaced by its scheme. */
  headers: Record<string, string>;
  bodyBytes: number;
  /** 0 when the fake dropped the connection. */
  status: number;
}

export interface FakeVideo {
  id: string;
  snippet: Record<string, unknown>;
  status: Record<string, unknown>;
  /** What the upload delivered (empty for videos added with addVideo). */
  bytes: Buffer;
  sha256: string;
  contentType: string;
  thumbnail?: { contentType: string; bytes: Buffer };
}

export interface FakeUploadSession {
  uploadId: string;
  totalBytes: number;
  contentType: string;
  resource: { snippet?: Record<string, unknown>; status?: Record<string, unknown> };
  received: Buffer[];
  receivedBytes: number;
  videoId?: string;
  /** Set by expireSession: every request on the session answers this. */
  gone?: 404 | 410;
}

export interface FakeCaption {
  id: string;
  videoId: string;
  language: string;
  name: string;
  isDraft: boolean;
  trackKind: 'standard' | 'asr';
  /** The media part's type and bytes, as captions.insert received them. */
  contentType: string;
  body: Buffer;
}

export interface FakeReport {
  id: string;
  reportTypeId: string;
  startTime: string;
  endTime: string;
  createTime: string;
  csv: string;
}

export interface FakeJob {
  id: string;
  reportTypeId: string;
  name: string;
  createTime: string;
}

export type QuotaRefusal = 'quotaExceeded' | 'uploadLimitExceeded';

export interface FakeYouTube {
  /** Base URL for the Data, Upload and Reporting APIs alike. */
  url: string;
  requests: FakeRequest[];
  videos: FakeVideo[];
  sessions: FakeUploadSession[];
  jobs: FakeJob[];
  /** Caption tracks, inserted (captions.insert) or added by the test. */
  captions: FakeCaption[];
  /** The next captions.insert creates its track, then drops the connection before answering (the outcome is lost). */
  dropNextCaptionResponse(): void;
  /** The upload PUTs with a byte range, in order, for checking chunk alignment. */
  uploadChunks(): { first: number; last: number; total: number; bytes: number; status: number }[];
  /** Destroy the socket of the next upload chunk after reading `afterBytes` of it (kept in 256 KiB units, as YouTube keeps them). */
  dropConnectionMidChunk(afterBytes?: number): void;
  /**
   * Reads upload chunks at most `bytesPerSecond` (undefined: at full speed), so that a test can act while bytes
   * flow; a chunk whose client goes away keeps what arrived in 256 KiB units, as YouTube does.
   */
  slowUploads(bytesPerSecond: number | undefined): void;
  /** Upload chunks being received right now, with the bytes read of each so far. */
  uploadsInFlight(): { uploadId: string; bytes: number }[];
  /** The next `count` requests answer `status` with a Google error body. */
  failNext(status: number, count?: number, reason?: string): void;
  /** The next 308 forgets what the session received and carries no Range header. */
  omitRangeOnNext308(): void;
  /** Every current upload session answers `status` from now on. */
  expireSession(status?: 404 | 410): void;
  /** Data API calls answer 403 quotaExceeded, or uploads answer 400 uploadLimitExceeded, until called with undefined. */
  refuseQuota(reason: QuotaRefusal | undefined): void;
  setCustomThumbnails(allowed: boolean): void;
  /** A video already on the channel, e.g. to test videos.update without an upload. */
  addVideo(video: { id?: string; snippet: Record<string, unknown>; status?: Record<string, unknown> }): FakeVideo;
  /** A report of `reportTypeId` (channel_reach_basic_a1 by default), listed under every job of that type. */
  addReport(report: { reportTypeId?: string; startTime: string; endTime: string; createTime?: string; csv: string }): FakeReport & { downloadUrl: string };
  close(): Promise<void>;
}

interface Failure { status: number; reason: string }

export async function startFakeYouTube(options: FakeYouTubeOptions = {}): Promise<FakeYouTube> {
  const isValidToken = options.isValidToken ?? ((t: string) => t.length > 0);
  const pageSize = options.pageSize ?? 50;
  let customThumbnails = options.customThumbnails ?? true;
  const requests: FakeRequest[] = [];
  const videos: FakeVideo[] = [];
  const sessions: FakeUploadSession[] = [];
  const jobs: FakeJob[] = [];
  const captions: FakeCaption[] = [];
  let dropCaptionResponse = false;
  const reports: FakeReport[] = [];
  const failures: Failure[] = [];
  let dropAfter: number | undefined;
  let uploadRate: number | undefined;
  const inFlight = new Map<FakeRequest, string>();
  let omitRange = false;
  let quota: QuotaRefusal | undefined;
  let base = '';
  let closing: Promise<void> | undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) googleError(res, 500, 'backendError', `fake YouTube failed: ${(err as Error).message}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined) continue;
      const value = Array.isArray(v) ? v.join(', ') : v;
      headers[k] = k === 'authorization' ? value.split(' ')[0] ?? '' : value;
    }
    const record: FakeRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, bodyBytes: 0, status: 0 };
    requests.push(record);
    res.on('finish', () => { record.status = res.statusCode; });

    const range = parseContentRange(req.headers['content-range']);
    const uploadPut = req.method === 'PUT' && url.pathname === '/upload/youtube/v3/videos';
    if (uploadPut && range?.kind === 'bytes' && dropAfter !== undefined) {
      const keep = dropAfter;
      dropAfter = undefined;
      const partial = await readUpTo(req, keep);
      record.bodyBytes = partial.length;
      const session = sessions.find((s) => s.uploadId === url.searchParams.get('upload_id'));
      if (session && !session.gone && !session.videoId && range.first === session.receivedBytes) {
        const kept = Math.floor(partial.length / CHUNK_UNIT) * CHUNK_UNIT;
        if (kept > 0) append(session, partial.subarray(0, kept));
      }
      req.socket.destroy();
      return;
    }

    const body = uploadPut && range?.kind === 'bytes' && uploadRate !== undefined
      ? await receiveSlowly(req, record, url.searchParams.get('upload_id') ?? '', range.first, uploadRate)
      : await readAll(req);
    if (!body) return;
    record.bodyBytes = body.length;

    const failure = failures.shift();
    if (failure) return googleError(res, failure.status, failure.reason, `injected failure ${failure.status}`);

    const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!auth?.[1] || !isValidToken(auth[1])) {
      return googleError(res, 401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token.', 'UNAUTHENTICATED');
    }
    const reporting = url.pathname.startsWith('/v1/');
    if (quota === 'quotaExceeded' && !reporting) {
      return googleError(res, 403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.');
    }

    const route = `${req.method ?? ''} ${url.pathname}`;
    if (route === 'POST /upload/youtube/v3/videos') return initiateUpload(url, req, body, res);
    if (uploadPut) return sessionPut(url, range, body, res);
    if (route === 'GET /youtube/v3/videos') return listVideos(url, res);
    if (route === 'PUT /youtube/v3/videos') return updateVideo(url, body, res);
    if (route === 'POST /upload/youtube/v3/thumbnails/set') return setThumbnail(url, req, body, res);
    if (route === 'POST /upload/youtube/v3/captions') return insertCaption(url, req, body, res);
    if (route === 'GET /youtube/v3/captions') return listCaptions(url, res);
    if (route === 'GET /v1/jobs') return page(res, url, 'jobs', jobs);
    if (route === 'POST /v1/jobs') return createJob(body, res);
    const reportsPath = /^\/v1\/jobs\/([^/]+)\/reports$/.exec(url.pathname);
    if (req.method === 'GET' && reportsPath) return listReportsOf(decodeURIComponent(reportsPath[1] ?? ''), url, res);
    const media = /^\/v1\/media\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && media) return download(decodeURIComponent(media[1] ?? ''), res);
    return googleError(res, 404, 'notFound', `fake YouTube has no route ${route}`);
  }

  /** An upload chunk read at `rate` bytes a second; undefined when its client went away (the whole 256 KiB units that arrived are kept). */
  async function receiveSlowly(req: IncomingMessage, record: FakeRequest, uploadId: string, first: number, rate: number): Promise<Buffer | undefined> {
    inFlight.set(record, uploadId);
    const { bytes, complete } = await readThrottled(req, rate, (n) => { record.bodyBytes = n; }).finally(() => inFlight.delete(record));
    if (complete) return bytes;
    const session = sessions.find((s) => s.uploadId === uploadId);
    if (session && !session.gone && !session.videoId && first === session.receivedBytes) {
      const kept = Math.floor(bytes.length / CHUNK_UNIT) * CHUNK_UNIT;
      if (kept > 0) append(session, bytes.subarray(0, kept));
    }
    return undefined;
  }

  function initiateUpload(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    if (quota === 'uploadLimitExceeded') return googleError(res, 400, 'uploadLimitExceeded', 'The user has exceeded the number of videos they may upload.');
    if (url.searchParams.get('uploadType') !== 'resumable') return googleError(res, 400, 'invalidParameter', 'uploadType must be resumable');
    const parts = (url.searchParams.get('part') ?? '').split(',');
    if (!parts.includes('snippet') || !parts.includes('status')) return googleError(res, 400, 'invalidPart', 'part must name snippet and status');
    const totalBytes = Number(req.headers['x-upload-content-length']);
    if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0) return googleError(res, 400, 'badContent', 'X-Upload-Content-Length must be a positive integer');
    const contentType = String(req.headers['x-upload-content-type'] ?? '');
    if (!contentType.startsWith('video/') && contentType !== 'application/octet-stream') return googleError(res, 400, 'invalidVideoMetadata', 'X-Upload-Content-Type must be video/*');
    let resource: FakeUploadSession['resource'];
    try {
      resource = JSON.parse(body.toString('utf8')) as FakeUploadSession['resource'];
    } catch {
      return googleError(res, 400, 'parseError', 'the video resource is not JSON');
    }
    const problem = snippetProblem(resource.snippet, false);
    if (problem) return googleError(res, 400, problem.reason, problem.message);
    const privacy = resource.status?.privacyStatus;
    if (privacy !== undefined && !['private', 'unlisted', 'public'].includes(String(privacy))) return googleError(res, 400, 'invalidVideoMetadata', `privacyStatus ${String(privacy)}`);
    const uploadId = randomBytes(12).toString('base64url');
    sessions.push({ uploadId, totalBytes, contentType, resource, received: [], receivedBytes: 0 });
    res.writeHead(200, { location: `${base}/upload/youtube/v3/videos?uploadType=resumable&upload_id=${uploadId}`, 'content-length': '0' });
    res.end();
  }

  function sessionPut(url: URL, range: ContentRange | undefined, body: Buffer, res: ServerResponse): void {
    const session = sessions.find((s) => s.uploadId === url.searchParams.get('upload_id'));
    if (!session) return googleError(res, 404, 'notFound', 'no such upload session');
    if (session.gone) return googleError(res, session.gone, 'notFound', 'the upload session expired');
    if (!range) return googleError(res, 400, 'badContent', 'Content-Range is required');
    if (range.total !== session.totalBytes) return googleError(res, 400, 'badContent', `Content-Range total ${range.total} differs from X-Upload-Content-Length ${session.totalBytes}`);
    if (range.kind === 'query') {
      if (body.length !== 0) return googleError(res, 400, 'badContent', 'a status query has an empty body');
      if (session.videoId) return videoResponse(res, 200, session.videoId);
      return incomplete(res, session);
    }
    if (session.videoId) return videoResponse(res, 200, session.videoId);
    const length = range.last - range.first + 1;
    if (body.length !== length) return googleError(res, 400, 'badContent', `Content-Range says ${length} bytes, the body has ${body.length}`);
    if (range.last >= session.totalBytes) return googleError(res, 400, 'badContent', 'Content-Range goes past the total');
    const final = range.last === session.totalBytes - 1;
    if (!final && length % CHUNK_UNIT !== 0) return googleError(res, 400, 'badContent', `a non-final chunk of ${length} bytes is not a multiple of 256 KiB`);
    if (range.first > session.receivedBytes) return googleError(res, 400, 'badContent', `chunk starts at ${range.first} but only ${session.receivedBytes} bytes were received`);
    // A chunk that overlaps what arrived (its 308 was lost) adds only its new tail.
    if (range.last >= session.receivedBytes) append(session, body.subarray(session.receivedBytes - range.first));
    if (session.receivedBytes < session.totalBytes) return incomplete(res, session);
    const bytes = Buffer.concat(session.received);
    const video: FakeVideo = {
      id: randomBytes(8).toString('base64url').slice(0, 11),
      snippet: { ...readOnlySnippet(), categoryId: '22', ...session.resource.snippet },
      status: { uploadStatus: 'uploaded', privacyStatus: 'public', ...session.resource.status },
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      contentType: session.contentType,
    };
    videos.push(video);
    session.videoId = video.id;
    session.received = [];
    videoResponse(res, 201, video.id);
  }

  function incomplete(res: ServerResponse, session: FakeUploadSession): void {
    if (omitRange) {
      omitRange = false;
      session.received = [];
      session.receivedBytes = 0;
    }
    const headers: Record<string, string> = { 'content-length': '0' };
    if (session.receivedBytes > 0) headers.range = `bytes=0-${session.receivedBytes - 1}`;
    res.writeHead(308, headers);
    res.end();
  }

  function videoResponse(res: ServerResponse, status: number, id: string, parts = ['snippet', 'status']): void {
    const v = videos.find((x) => x.id === id);
    if (!v) return googleError(res, 404, 'videoNotFound', `no video ${id}`);
    json(res, status, resourceOf(v, parts));
  }

  function listVideos(url: URL, res: ServerResponse): void {
    const parts = (url.searchParams.get('part') ?? '').split(',').filter(Boolean);
    if (parts.length === 0) return googleError(res, 400, 'required', 'part is required');
    const ids = (url.searchParams.get('id') ?? '').split(',').filter(Boolean);
    const items = videos.filter((v) => ids.includes(v.id)).map((v) => resourceOf(v, parts));
    json(res, 200, { kind: 'youtube#videoListResponse', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
  }

  function updateVideo(url: URL, body: Buffer, res: ServerResponse): void {
    if (url.searchParams.get('part') !== 'snippet') return googleError(res, 400, 'invalidPart', 'this fake updates part=snippet only');
    let resource: { id?: string; snippet?: Record<string, unknown> };
    try {
      resource = JSON.parse(body.toString('utf8')) as typeof resource;
    } catch {
      return googleError(res, 400, 'parseError', 'the video resource is not JSON');
    }
    const video = videos.find((v) => v.id === resource.id);
    if (!video) return googleError(res, 404, 'videoNotFound', `The video identified by the id parameter could not be found: ${String(resource.id)}`);
    const problem = snippetProblem(resource.snippet, true);
    if (problem) return googleError(res, 400, problem.reason, problem.message);
    const keep = Object.fromEntries(Object.entries(video.snippet).filter(([k]) => READ_ONLY_SNIPPET.has(k)));
    video.snippet = { ...keep, ...pickWritable(resource.snippet ?? {}) };
    json(res, 200, resourceOf(video, ['snippet']));
  }

  function setThumbnail(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const video = videos.find((v) => v.id === url.searchParams.get('videoId'));
    if (!video) return googleError(res, 404, 'videoNotFound', `no video ${url.searchParams.get('videoId') ?? ''}`);
    if (!customThumbnails) return googleError(res, 403, 'forbidden', 'The thumbnail can\'t be set for the specified video. The request might not be properly authorized.');
    const type = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (body.length > THUMBNAIL_MAX_BYTES) return googleError(res, 400, 'invalidImage', 'The thumbnail image is larger than 2MB.');
    if (!['image/jpeg', 'image/png'].includes(type) || sniff(body) !== type) return googleError(res, 400, 'invalidImage', 'The thumbnail image file is invalid.');
    video.thumbnail = { contentType: type, bytes: body };
    const at = (w: number, h: number, name: string) => ({ url: `${base}/vi/${video.id}/${name}.jpg`, width: w, height: h });
    json(res, 200, { kind: 'youtube#thumbnailSetResponse', items: [{ default: at(120, 90, 'default'), high: at(480, 360, 'hqdefault'), maxres: at(1280, 720, 'maxresdefault') }] });
  }

  /** captions.insert with uploadType=multipart: a multipart/related body of the JSON caption resource, then the file. */
  function insertCaption(url: URL, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    if (url.searchParams.get('uploadType') !== 'multipart') return googleError(res, 400, 'invalidParameter', 'this fake takes captions.insert with uploadType=multipart');
    if (url.searchParams.get('part') !== 'snippet') return googleError(res, 400, 'invalidPart', 'part must be snippet');
    const boundary = /boundary="?([^";]+)"?/.exec(String(req.headers['content-type'] ?? ''))?.[1];
    if (!String(req.headers['content-type'] ?? '').startsWith('multipart/related') || !boundary) return googleError(res, 400, 'badContent', 'Content-Type must be multipart/related with a boundary');
    const parts = multipartParts(body, boundary);
    const [meta, media] = parts;
    if (parts.length !== 2 || !meta || !media) return googleError(res, 400, 'badContent', `a multipart upload has 2 parts (metadata, media), got ${parts.length}`);
    let resource: { snippet?: { videoId?: unknown; language?: unknown; name?: unknown; isDraft?: unknown } };
    try {
      resource = JSON.parse(meta.body.toString('utf8')) as typeof resource;
    } catch {
      return googleError(res, 400, 'parseError', 'the caption resource is not JSON');
    }
    const snippet = resource.snippet ?? {};
    const video = videos.find((v) => v.id === snippet.videoId);
    if (!video) return googleError(res, 404, 'videoNotFound', `The video identified by the videoId parameter could not be found: ${String(snippet.videoId)}`);
    if (typeof snippet.language !== 'string' || !/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(snippet.language)) return googleError(res, 400, 'invalidMetadata', 'snippet.language must be a BCP-47 language code');
    const name = typeof snippet.name === 'string' ? snippet.name : '';
    if ([...name].length > 150) return googleError(res, 400, 'invalidMetadata', 'snippet.name is longer than 150 characters');
    if (media.body.length === 0 || !/-->/.test(media.body.toString('utf8'))) return googleError(res, 400, 'invalidCaptionFile', 'The caption file is empty or has no timed cues.');
    const caption: FakeCaption = {
      id: randomBytes(9).toString('base64url'), videoId: video.id, language: snippet.language, name, isDraft: snippet.isDraft === true,
      trackKind: 'standard', contentType: media.headers['content-type'] ?? '', body: media.body,
    };
    captions.push(caption);
    if (dropCaptionResponse) {
      dropCaptionResponse = false;
      req.socket.destroy();
      return;
    }
    json(res, 200, captionResource(caption));
  }

  function listCaptions(url: URL, res: ServerResponse): void {
    if (url.searchParams.get('part') !== 'snippet' && url.searchParams.get('part') !== 'id') return googleError(res, 400, 'invalidPart', 'part must be snippet or id');
    const videoId = url.searchParams.get('videoId') ?? '';
    if (!videos.some((v) => v.id === videoId)) return googleError(res, 404, 'videoNotFound', `The video identified by the videoId parameter could not be found: ${videoId}`);
    json(res, 200, { kind: 'youtube#captionListResponse', items: captions.filter((c) => c.videoId === videoId).map(captionResource) });
  }

  function createJob(body: Buffer, res: ServerResponse): void {
    let input: { reportTypeId?: unknown; name?: unknown };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      return googleError(res, 400, 'parseError', 'the job is not JSON', 'INVALID_ARGUMENT');
    }
    if (typeof input.reportTypeId !== 'string' || input.reportTypeId === '') return googleError(res, 400, 'invalidArgument', 'reportTypeId is required', 'INVALID_ARGUMENT');
    if (jobs.some((j) => j.reportTypeId === input.reportTypeId)) return googleError(res, 409, 'alreadyExists', 'a job for this report type already exists', 'ALREADY_EXISTS');
    const job: FakeJob = { id: randomBytes(6).toString('hex'), reportTypeId: input.reportTypeId, name: typeof input.name === 'string' ? input.name : '', createTime: new Date().toISOString() };
    jobs.push(job);
    json(res, 200, job);
  }

  function listReportsOf(jobId: string, url: URL, res: ServerResponse): void {
    const job = jobs.find((j) => j.id === jobId);
    if (!job) return googleError(res, 404, 'notFound', `no job ${jobId}`, 'NOT_FOUND');
    const after = url.searchParams.get('createdAfter');
    const afterMs = after ? Date.parse(after) : Number.NEGATIVE_INFINITY;
    if (Number.isNaN(afterMs)) return googleError(res, 400, 'invalidArgument', `createdAfter ${after ?? ''} is not a timestamp`, 'INVALID_ARGUMENT');
    const items = reports
      .filter((r) => r.reportTypeId === job.reportTypeId && Date.parse(r.createTime) > afterMs)
      .map((r) => ({ id: r.id, jobId, startTime: r.startTime, endTime: r.endTime, createTime: r.createTime, downloadUrl: downloadUrlOf(r) }));
    page(res, url, 'reports', items);
  }

  function download(reportId: string, res: ServerResponse): void {
    const report = reports.find((r) => r.id === reportId);
    if (!report) return googleError(res, 404, 'notFound', `no report ${reportId}`, 'NOT_FOUND');
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-length': String(Buffer.byteLength(report.csv)) });
    res.end(report.csv);
  }

  function page(res: ServerResponse, url: URL, key: string, all: readonly unknown[]): void {
    const start = Number(url.searchParams.get('pageToken') ?? '0') || 0;
    const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
    json(res, 200, { [key]: all.slice(start, start + pageSize), ...(next ? { nextPageToken: next } : {}) });
  }

  const downloadUrlOf = (r: FakeReport): string => `${base}/v1/media/${r.id}?alt=media`;

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    videos,
    sessions,
    jobs,
    captions,
    dropNextCaptionResponse: () => { dropCaptionResponse = true; },
    uploadChunks: () => requests
      .filter((r) => r.method === 'PUT' && r.path === '/upload/youtube/v3/videos')
      .flatMap((r) => {
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.headers['content-range'] ?? '');
        return m ? [{ first: Number(m[1]), last: Number(m[2]), total: Number(m[3]), bytes: r.bodyBytes, status: r.status }] : [];
      }),
    dropConnectionMidChunk: (afterBytes = 100_000) => { dropAfter = afterBytes; },
    slowUploads: (bytesPerSecond) => { uploadRate = bytesPerSecond; },
    uploadsInFlight: () => [...inFlight].map(([r, uploadId]) => ({ uploadId, bytes: r.bodyBytes })),
    failNext: (status, count = 1, reason) => {
      for (let i = 0; i < count; i++) failures.push({ status, reason: reason ?? (status >= 500 ? 'backendError' : 'badRequest') });
    },
    omitRangeOnNext308: () => { omitRange = true; },
    expireSession: (status = 404) => { for (const s of sessions) s.gone = status; },
    refuseQuota: (reason) => { quota = reason; },
    setCustomThumbnails: (allowed) => { customThumbnails = allowed; },
    addVideo: (v) => {
      const video: FakeVideo = {
        id: v.id ?? randomBytes(8).toString('base64url').slice(0, 11),
        snippet: { ...readOnlySnippet(), ...v.snippet },
        status: { uploadStatus: 'processed', privacyStatus: 'private', ...v.status },
        bytes: Buffer.alloc(0),
        sha256: createHash('sha256').digest('hex'),
        contentType: 'video/mp4',
      };
      videos.push(video);
      return video;
    },
    addReport: (r) => {
      const report: FakeReport = {
        id: randomBytes(6).toString('hex'),
        reportTypeId: r.reportTypeId ?? 'channel_reach_basic_a1',
        startTime: r.startTime,
        endTime: r.endTime,
        createTime: r.createTime ?? new Date().toISOString(),
        csv: r.csv,
      };
      reports.push(report);
      return { ...report, downloadUrl: downloadUrlOf(report) };
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      });
      return closing;
    },
  };
}

type ContentRange = { kind: 'query'; total: number } | { kind: 'bytes'; first: number; last: number; total: number };

function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (!header) return undefined;
  const query = /^bytes \*\/(\d+)$/.exec(header);
  if (query) return { kind: 'query', total: Number(query[1]) };
  const bytes = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header);
  if (bytes && Number(bytes[2]) >= Number(bytes[1])) return { kind: 'bytes', first: Number(bytes[1]), last: Number(bytes[2]), total: Number(bytes[3]) };
  return undefined;
}

function append(session: FakeUploadSession, bytes: Buffer): void {
  session.received.push(Buffer.from(bytes));
  session.receivedBytes += bytes.length;
}

const READ_ONLY_SNIPPET = new Set(['publishedAt', 'channelId', 'channelTitle', 'thumbnails', 'liveBroadcastContent', 'localized']);
const WRITABLE_SNIPPET = ['title', 'description', 'tags', 'categoryId', 'defaultLanguage', 'defaultAudioLanguage'];

function readOnlySnippet(): Record<string, unknown> {
  return { publishedAt: new Date().toISOString(), channelId: 'UCfakechannel0000000000', channelTitle: 'Fake channel', liveBroadcastContent: 'none' };
}

function pickWritable(snippet: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(snippet).filter(([k]) => WRITABLE_SNIPPET.includes(k)));
}

/** The checks YouTube makes on a snippet; videos.update also requires categoryId. */
function snippetProblem(snippet: Record<string, unknown> | undefined, update: boolean): { reason: string; message: string } | undefined {
  const title = snippet?.title;
  if (typeof title !== 'string' || title.trim() === '') return { reason: 'invalidTitle', message: 'The request metadata specifies an empty video title.' };
  if ([...title].length > 100 || /[<>]/.test(title)) return { reason: 'invalidTitle', message: 'The request metadata specifies an invalid video title.' };
  const description = snippet?.description;
  if (typeof description === 'string' && (Buffer.byteLength(description) > 5000 || /[<>]/.test(description))) {
    return { reason: 'invalidDescription', message: 'The request metadata specifies an invalid video description.' };
  }
  if (update && (typeof snippet?.categoryId !== 'string' || snippet.categoryId === '')) {
    return { reason: 'invalidCategoryId', message: 'The snippet.categoryId property specifies an invalid category ID. Use the videoCategories.list method to retrieve supported categories.' };
  }
  return undefined;
}

function resourceOf(v: FakeVideo, parts: readonly string[]): Record<string, unknown> {
  return {
    kind: 'youtube#video',
    id: v.id,
    ...(parts.includes('snippet') ? { snippet: v.snippet } : {}),
    ...(parts.includes('status') ? { status: v.status } : {}),
  };
}

function captionResource(c: FakeCaption): Record<string, unknown> {
  return {
    kind: 'youtube#caption',
    id: c.id,
    snippet: {
      videoId: c.videoId, lastUpdated: new Date().toISOString(), trackKind: c.trackKind, language: c.language, name: c.name,
      audioTrackType: 'unknown', isCC: false, isLarge: false, isEasyReader: false, isDraft: c.isDraft, isAutoSynced: false, status: 'serving',
    },
  };
}

/** The parts of a multipart body: each one's lower-cased headers and its bytes. */
function multipartParts(body: Buffer, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const text = body.toString('latin1');
  const pieces = text.split(`--${boundary}`);
  // Before the first delimiter is the preamble; after the closing "--" the epilogue.
  return pieces.slice(1).filter((p) => !p.startsWith('--')).map((piece) => {
    const content = piece.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const split = content.indexOf('\r\n\r\n');
    const head = split < 0 ? '' : content.slice(0, split);
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { headers, body: Buffer.from(split < 0 ? content : content.slice(split + 4), 'latin1') };
  });
}

function sniff(bytes: Buffer): string | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return undefined;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function googleError(res: ServerResponse, status: number, reason: string, message: string, rpcStatus?: string): void {
  json(res, status, { error: { code: status, message, errors: [{ message, domain: 'youtube.video', reason }], ...(rpcStatus ? { status: rpcStatus } : {}) } });
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of req) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

/**
 * Reads a body at about `bytesPerSecond`, pausing the socket between pieces; `complete` is false when the client
 * went away before the end (what arrived is returned).
 */
function readThrottled(req: IncomingMessage, bytesPerSecond: number, onBytes: (n: number) => void): Promise<{ bytes: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    let got = 0;
    let timer: NodeJS.Timeout | undefined;
    const done = (complete: boolean): void => {
      clearTimeout(timer);
      req.off('data', onData);
      resolve({ bytes: Buffer.concat(pieces), complete });
    };
    const onData = (piece: Buffer): void => {
      pieces.push(piece);
      got += piece.length;
      onBytes(got);
      req.pause();
      timer = setTimeout(() => req.resume(), (piece.length / bytesPerSecond) * 1000);
    };
    req.on('data', onData);
    req.once('end', () => done(true));
    req.once('close', () => done(req.complete));
    req.once('error', () => done(false));
  });
}

/** Reads at least `limit` bytes (or the whole body when it is shorter), then stops reading. */
function readUpTo(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let got = 0;
    const done = (): void => {
      req.off('data', onData);
      req.pause();
      resolve(Buffer.concat(pieces));
    };
    const onData = (piece: Buffer): void => {
      pieces.push(piece);
      got += piece.length;
      if (got >= limit) done();
    };
    req.on('data', onData);
    req.once('end', done);
    req.once('error', reject);
  });
}
