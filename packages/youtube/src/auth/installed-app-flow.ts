import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FacelessError } from '@faceless/runtime';
import type { YouTubeConfig } from '../youtube-config.ts';
import { requireClientCredentials } from './client-credentials.ts';
import { exchangeAuthorizationCode, type AuthorizedTokens } from './code-exchange.ts';
import { openBrowserQuietly } from './open-browser.ts';
import { DEFAULT_SCOPES, buildAuthorizationUrl, createOAuthState, createPkcePair } from './pkce.ts';


export interface InstalledAppFlowOptions {
  config: Pick<YouTubeConfig, 'oauthUrl' | 'tokenUrl' | 'clientId' | 'clientSecret'>;
  scopes?: readonly string[];
  /** Where the instructions and the URL go (the CLI prints to stderr). */
  print?: (line: string) => void;
  /** Shows the URL in a browser; the default tries xdg-open/open and never fails. */
  openBrowser?: (url: string) => void | Promise<void>;
  /** How long to wait for the browser to come back; default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  now?: () => Date;
  /** The channel being added, so that messages name the exact command to run again. */
  channelName?: string;
}

export type InstalledAppTokens = AuthorizedTokens;

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function page(title: string, text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>faceless: ${title}</title></head>` +
    `<body style="font-family:sans-serif;max-width:36em;margin:4em auto"><h1>${title}</h1><p>${text}</p></body></html>`;
}

function answer(res: ServerResponse, status: number, html: string): Promise<void> {
  return new Promise((resolve) => {
    res.once('finish', resolve).once('close', resolve);
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close', 'cache-control': 'no-store' }).end(html);
  });
}

interface WaitOptions {
  state: string;
  /** The command that starts over, for the messages. */
  rerun: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/** Resolves with the authorization code from the browser's redirect to the loopback server. */
function waitForRedirect(server: Server, options: WaitOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      server.off('request', onRequest);
      outcome();
    };
    const onAbort = (): void => finish(() => reject(new FacelessError('CANCELLED', 'the channel authorization was cancelled')));
    const timer = setTimeout(() => finish(() => reject(new FacelessError(
      'CHANNEL_AUTH',
      `no answer from the browser within ${Math.round(options.timeoutMs / 1000)} s: run ${options.rerun} again, open the printed URL and click Allow`,
    ))), options.timeoutMs);
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const p = url.searchParams;
      if (settled || url.pathname !== '/' || (!p.has('code') && !p.has('error'))) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (p.get('state') !== options.state) {
        void answer(res, 400, page('Authorization failed', 'This answer does not belong to the running <code>faceless channels add</code>. Run it again.'))
          .then(() => finish(() => reject(new FacelessError('CHANNEL_AUTH', `the browser came back with a different OAuth state (a stale or foreign consent page): run ${options.rerun} again`))));
        return;
      }
      const error = p.get('error');
      if (error !== null) {
        const message = error === 'access_denied'
          ? `access was denied on Google's consent page: run ${options.rerun} again and click Allow (with the channel's Google account, and every permission ticked)`
          : `Google's consent page answered error=${error.slice(0, 80)}: run ${options.rerun} again`;
        void answer(res, 200, page('Access denied', 'faceless did not get access to the channel. You can close this tab.'))
          .then(() => finish(() => reject(new FacelessError('CHANNEL_AUTH', message))));
        return;
      }
      const code = p.get('code') ?? '';
      void answer(res, 200, page('Channel authorized', 'faceless received the authorization. You can close this tab and return to the terminal.'))
        .then(() => finish(() => resolve(code)));
    };
    server.on('request', onRequest);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/**
 * The OAuth installed-app flow: a loopback server on 127.0.0.1, the consent page in the user's browser, PKCE,
 * then the code exchanged for a refresh token. Works over SSH too: the URL is printed, and the redirect only
 * needs the browser to reach 127.0.0.1 on the machine running faceless (forward the port if it is remote).
 */
export async function runInstalledAppFlow(options: InstalledAppFlowOptions): Promise<InstalledAppTokens> {
  const { clientId, clientSecret } = requireClientCredentials(options.config);
  const scopes = options.scopes ?? DEFAULT_SCOPES;
  const print = options.print ?? ((line: string) => process.stderr.write(`${line}\n`));
  const openBrowser = options.openBrowser ?? openBrowserQuietly;
  const pkce = createPkcePair();
  const state = createOAuthState();
  const rerun = `\`faceless channels add ${options.channelName ?? '<name>'}\``;

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let code: string;
  try {
    const authUrl = buildAuthorizationUrl({ oauthUrl: options.config.oauthUrl, clientId, redirectUri, scopes, state, codeChallenge: pkce.challenge });
    const redirected = waitForRedirect(server, { state, rerun, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: options.signal });
    print('Open this URL in a browser, sign in with the Google account that owns the channel, and click Allow:');
    print(authUrl);
    print(`Waiting for the browser to come back to ${redirectUri} …`);
    void Promise.resolve().then(() => openBrowser(authUrl)).catch(() => {});
    code = await redirected;
  } finally {
    await closeServer(server);
  }

  return exchangeAuthorizationCode({
    config: options.config, client: { clientId, clientSecret }, code, verifier: pkce.verifier, redirectUri, scopes,
    again: `run ${rerun} again`, signal: options.signal, fetch: options.fetch, now: options.now,
  });
}
