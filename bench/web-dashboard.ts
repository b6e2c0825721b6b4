/**
 * The dashboard's first page: its JavaScript gzipped (the budget is 150 KB) and the time to the first meaningful
 * render on loopback, measured in Debian's Chromium with the Performance API (the app marks `faceless:first-render`
 * once the sign-in form or a page replaces "Loading…"; first-contentful-paint beside it). Each run is a new browser
 * context (cold cache); the server is an in-process `faceless serve` with an API key.
 * Run: npm run build -w apps/web && node --import tsx bench/web-dashboard.ts [runs=15]
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';

const runs = Number(process.argv[2] ?? 15);
const dist = fileURLToPath(new URL('../apps/web/dist/', import.meta.url));

interface Harness {
  startDashboardServer(): Promise<{ url: string; key: string; close(): Promise<void> }>;
  launchBrowser(): Promise<Browser>;
}
// Loaded at run time: the harness is typed with the DOM library, this folder is not.
const harnessPath: string = '../apps/web/test/browser-harness.ts';
const harness = (await import(harnessPath)) as Harness;

async function firstPageBytes(): Promise<{ files: string[]; raw: number; gzip: number; cssGzip: number }> {
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g), ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1] ?? '');
  const styles = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+)"/g)].map((m) => m[1] ?? '');
  let raw = 0;
  let gzip = 0;
  for (const file of scripts) {
    const bytes = await readFile(join(dist, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  let cssGzip = 0;
  for (const file of styles) cssGzip += gzipSync(await readFile(join(dist, file)), { level: 9 }).length;
  return { files: scripts, raw, gzip, cssGzip };
}

async function timings(page: Page, url: string): Promise<{ render: number; fcp: number }> {
  await page.goto(url);
  // Functions, not strings: a string would be eval'd in the page, which its CSP refuses.
  await page.waitForFunction(() => performance.getEntriesByName('faceless:first-render').length > 0);
  return page.evaluate(() => {
    const mark = performance.getEntriesByName('faceless:first-render')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { render: mark ? mark.startTime : NaN, fcp: fcp ? fcp.startTime : NaN };
  });
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return `median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms`;
}

const size = await firstPageBytes();
const load = loadavg().map((l) => l.toFixed(2)).join(' / ');
console.log(`first page JS: ${size.files.join(', ')}: ${(size.raw / 1024).toFixed(1)} KB, ${(size.gzip / 1024).toFixed(1)} KB gzipped (budget 150 KB); CSS ${(size.cssGzip / 1024).toFixed(1)} KB gzipped`);

const server = await harness.startDashboardServer();
const browser = await harness.launchBrowser();
try {
  for (const signedIn of [false, true]) {
    const render: number[] = [];
    const fcp: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      if (signedIn) await context.addInitScript(`sessionStorage.setItem('faceless.apiKey', ${JSON.stringify(server.key)})`);
      const page = await context.newPage();
      const t = await timings(page, `${server.url}/`);
      render.push(t.render);
      fcp.push(t.fcp);
      await context.close();
    }
    console.log(`${signedIn ? 'make page (key in the tab)' : 'sign-in page'}: first meaningful render ${stats(render)}; first contentful paint ${stats(fcp)} (${runs} cold loads)`);
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`load average at the end: ${load} (start) → ${loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
