// Drives the dashboard in Debian's Chromium (playwright-core never downloads a browser) against an in-process
// `faceless serve` with an API key configured. Used by the browser tests, scripts/screenshots.mjs and the bench.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApiKey } from '@faceless/api-gateway';

/** The part of apps/cli's ServeHandle these tests use. */
export interface ServeHandle {
  url: string;
  storeDir: string;
  close(): Promise<void>;
}

/**
 * `faceless serve` in process. Imported at run time so that this DOM-typed test program does not typecheck the
 * whole CLI a second time (the repository's tsc -b checks it, without DOM types).
 */
async function startServe(options: { port: number; host: string; env: Record<string, string | undefined> }): Promise<ServeHandle> {
  const path: string = '../../cli/src/serve-command.ts';
  const module = (await import(path)) as { startServe: (o: typeof options) => Promise<ServeHandle> };
  return module.startServe(options);
}

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Debian's Chromium, or undefined (then the browser tests skip and say how to install it). */
export function chromiumPath(): string | undefined {
  return CHROMIUM_CANDIDATES.find((p): p is string => Boolean(p && existsSync(p)));
}

export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium (or set CHROMIUM_PATH)');
  return chromium.launch({
    executablePath,
    headless: true,
    // --no-sandbox: CI runs as root; the autoplay flag lets a test call play() without a click.
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
}

export interface DashboardServer {
  /** Where the browser opens the dashboard. */
  url: string;
  /** A valid API key (its hash is in API_KEYS). */
  key: string;
  serve: ServeHandle;
  close(): Promise<void>;
}

/** `faceless serve` on port 0 with a temporary data folder and one API key; `extraEnv` adds to its environment. */
export async function startDashboardServer(extraEnv: Record<string, string> = {}): Promise<DashboardServer> {
  const work = await mkdtemp(join(tmpdir(), 'faceless-web-e2e-'));
  const { key, hash } = createApiKey();
  const env: Record<string, string | undefined> = {
    ...process.env,
    API_KEYS: `web-test:${hash}`, API_KEYS_FILE: undefined, DATABASE_URL: undefined, AUTH_DISABLED: undefined,
    FACELESS_DATA_DIR: join(work, 'data'), LOCAL_CHANNEL_DIR: join(work, 'channels'), FACELESS_CACHE_DIR: join(work, 'cache'),
    LOG_LEVEL: 'error', ...extraEnv,
  };
  const serve = await startServe({ port: 0, host: '127.0.0.1', env });
  return {
    url: serve.url,
    key,
    serve,
    close: async () => {
      await serve.close();
      await rm(work, { recursive: true, force: true });
    },
  };
}

export interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

const require = createRequire(import.meta.url);
let axeSource: Promise<string> | undefined;

/**
 * axe-core's violations on the page as it is now. The script comes from node_modules and is evaluated through the
 * DevTools protocol (a <script> tag would be refused by the page's CSP, rightly).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(await axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/** Only what axe calls serious or critical: the bar the issue sets. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  return (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails listing every serious or critical axe violation on the page as it is now. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const serious = await seriousViolations(page);
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`), [], `axe on ${what}`);
}

/** A fresh desktop-sized page; every message in which the browser refuses something by the CSP lands in cspRefusals. */
export async function openPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; cspRefusals: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cspRefusals: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspRefusals.push(message.text());
  });
  return { context, page, cspRefusals };
}

/** Opens the dashboard and signs in through the form. */
export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}
