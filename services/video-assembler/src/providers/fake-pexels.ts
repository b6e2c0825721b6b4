import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runProcess } from '@faceless/runtime';

/** How the fake answers searches until told otherwise. */
export type FakePexelsFailure =
  | { status: 401 | 403 | 503 }
  | { status: 429; resetInSec: number }
  | { status: 200; badJson: true };

export interface FakePexelsRequest {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  /** Date.now() when it arrived. */
  at: number;
}

export interface FakePexels {
  url: string;
  apiKey: string;
  requests: FakePexelsRequest[];
  searches(): FakePexelsRequest[];
  downloads(): FakePexelsRequest[];
  /** Answer the next `times` searches (all of them by default) with this failure. */
  fail(failure: FakePexelsFailure | undefined, times?: number): void;
  /** Serve these videos' files cut to 40 % of their bytes (a truncated upload); none when called without ids. */
  truncate(...videoIds: number[]): void;
  close(): Promise<void>;
}

type Shape = 'portrait' | 'landscape' | 'square' | 'short';

interface CatalogueVideo {
  id: number;
  shape: Shape;
  tags: string[];
  author: string;
}

/** Search matches need every query word among a video's tags; results come in this order. */
const CATALOGUE: readonly CatalogueVideo[] = [
  { id: 2001, shape: 'portrait', tags: ['octopus', 'ocean', 'sea'], author: 'Ana Reef' },
  { id: 2002, shape: 'portrait', tags: ['octopus', 'heart', 'ocean'], author: 'Bo Tide' },
  { id: 2003, shape: 'portrait', tags: ['ocean', 'waves', 'sea'], author: 'Cy Swell' },
  { id: 2004, shape: 'short', tags: ['ocean', 'waves', 'blue'], author: 'Di Spray' },
  { id: 2005, shape: 'portrait', tags: ['ocean', 'waves', 'blue', 'sea'], author: 'Ed Foam' },
  { id: 3001, shape: 'landscape', tags: ['octopus', 'ocean'], author: 'Fay Kelp' },
  { id: 3002, shape: 'landscape', tags: ['ocean', 'waves'], author: 'Gil Shore' },
  { id: 3003, shape: 'landscape', tags: ['heart', 'octopus', 'ocean'], author: 'Hal Deep' },
  { id: 4001, shape: 'square', tags: ['octopus', 'ocean'], author: 'Ivy Coral' },
];

/** Real little clips: 2 s (1 s for `short`), faststart, so that a truncated copy still has a valid header. */
const SHAPES: Record<Shape, { size: string; durationSec: number; orientation: string }> = {
  portrait: { size: '180x320', durationSec: 2, orientation: 'portrait' },
  landscape: { size: '320x180', durationSec: 2, orientation: 'landscape' },
  square: { size: '240x240', durationSec: 2, orientation: 'square' },
  short: { size: '180x320', durationSec: 1, orientation: 'portrait' },
};

/** The renditions each video lists, as Pexels does (sizes for a portrait video; landscape swaps them). */
const RENDITIONS = [
  { n: 1, quality: 'uhd', fileType: 'video/mp4', short: 2160, long: 3840 },
  { n: 2, quality: 'hd', fileType: 'video/mp4', short: 1080, long: 1920 },
  { n: 3, quality: 'sd', fileType: 'video/mp4', short: 540, long: 960 },
  { n: 4, quality: 'sd', fileType: 'video/mp4', short: 360, long: 640 },
  { n: 5, quality: 'hls', fileType: 'application/x-mpegURL', short: 0, long: 0 },
] as const;

function searchBody(url: string, query: string, orientation: string, perPage: number): unknown {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const videos = CATALOGUE.filter((v) => SHAPES[v.shape].orientation === orientation && words.length > 0 && words.every((w) => v.tags.includes(w)))
    .slice(0, perPage)
    .map((v) => {
      const shape = SHAPES[v.shape];
      const dims = (short: number, long: number): { width: number | null; height: number | null } => {
        if (short === 0) return { width: null, height: null };
        return orientation === 'landscape' ? { width: long, height: short } : orientation === 'square' ? { width: short, height: short } : { width: short, height: long };
      };
      return {
        id: v.id,
        ...dims(1080, 1920),
        duration: Math.ceil(shape.durationSec),
        full_res: null,
        tags: [],
        url: `https://www.pexels.com/video/${v.tags.join('-')}-${v.id}/`,
        image: `${url}/images/${v.id}.jpg`,
        avg_color: null,
        user: { id: v.id * 7, name: v.author, url: `https://www.pexels.com/@${v.author.toLowerCase().replace(/\s+/g, '-')}` },
        video_files: RENDITIONS.map((r) => ({
          id: v.id * 10 + r.n,
          quality: r.quality,
          file_type: r.fileType,
          ...dims(r.short, r.long),
          fps: 29.97,
          link: `${url}/video-files/${v.id}/${v.id * 10 + r.n}/${v.tags[0] ?? 'clip'}.mp4`,
          size: 123456,
        })),
        video_pictures: [],
      };
    });
  return { page: 1, per_page: perPage, total_results: videos.length, url: `https://www.pexels.com/search/videos/${encodeURIComponent(query)}/`, videos };
}

/**
 * A stand-in for api.pexels.com: GET /videos/search answers from a small catalogue in the shape of
 * Pexels' documentation, and the files' links serve real MP4s made with ffmpeg in `dir`.
 */
export async function startFakePexels(options: { dir: string; apiKey?: string }): Promise<FakePexels> {
  const apiKey = options.apiKey ?? 'fake-pexels-key-563492ad6f917000010000';
  const files = new Map<Shape, Buffer>();
  for (const [shape, spec] of Object.entries(SHAPES) as [Shape, (typeof SHAPES)[Shape]][]) {
    const path = join(options.dir, `fake-pexels-${shape}.mp4`);
    await runProcess('ffmpeg', [
      '-hide_banner', '-nostdin', '-v', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=s=${spec.size}:r=30:d=${spec.durationSec}`,
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', path,
    ]);
    files.set(shape, await readFile(path));
  }
  const requests: FakePexelsRequest[] = [];
  let failure: FakePexelsFailure | undefined;
  let failuresLeft = Infinity;
  const truncated = new Set<number>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const auth = req.headers.authorization;
    requests.push({ path: url.pathname, query: url.searchParams, authorization: auth, at: Date.now() });
    const base = `http://${req.headers.host ?? ''}`;
    const download = /^\/video-files\/(\d+)\/(\d+)\/[^/]+\.mp4$/.exec(url.pathname);
    if (download) {
      const video = CATALOGUE.find((v) => v.id === Number(download[1]));
      const bytes = video && files.get(video.shape);
      if (!video || !bytes) return void res.writeHead(404).end();
      const body = truncated.has(video.id) ? bytes.subarray(0, Math.floor(bytes.length * 0.4)) : bytes;
      return void res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length }).end(body);
    }
    res.setHeader('content-type', 'application/json');
    if (url.pathname !== '/videos/search') return void res.writeHead(404).end('{"error":"Not found"}');
    if (auth !== apiKey) return void res.writeHead(401).end('{"status":401,"code":"Unauthorized"}');
    const limitHeaders = { 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '150', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600) };
    if (failure && failuresLeft > 0) {
      failuresLeft--;
      const f = failure;
      if (f.status === 429) {
        return void res.writeHead(429, { ...limitHeaders, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000 + f.resetInSec)) }).end('{"status":429,"code":"Too Many Requests"}');
      }
      if (f.status === 200) return void res.writeHead(200, limitHeaders).end('{"videos": [{"id": 1, "dur');
      return void res.writeHead(f.status).end(`{"status":${f.status}}`);
    }
    const body = searchBody(base, url.searchParams.get('query') ?? '', url.searchParams.get('orientation') ?? 'landscape', Number(url.searchParams.get('per_page') ?? 15));
    res.writeHead(200, limitHeaders).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    searches: () => requests.filter((r) => r.path === '/videos/search'),
    downloads: () => requests.filter((r) => r.path.startsWith('/video-files/')),
    fail: (f, times = Infinity) => {
      failure = f;
      failuresLeft = times;
    },
    truncate: (...ids) => {
      truncated.clear();
      for (const id of ids) truncated.add(id);
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
