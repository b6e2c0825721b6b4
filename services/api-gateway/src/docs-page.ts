import { createHash } from 'node:crypto';
import type { GatewayRouteDoc } from './gateway-routes.ts';

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{white-space:nowrap}';

/** The CSP source that allows exactly this page's one inline style block (no inline script anywhere). */
export const DOCS_PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A self-contained docs page (no external assets: the gateway may run offline). */
export function renderDocsPage(routes: readonly GatewayRouteDoc[]): string {
  const rows = routes.filter((r) => !r.hidden).map((r) => `<tr><td><code>${r.method}</code></td><td><code>${escapeHtml(r.path)}</code></td>`
    + `<td>${r.public ? 'public' : 'Bearer key'}</td><td>${escapeHtml(r.summary)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>faceless API</title>
<style>${STYLE}</style>
</head><body>
<h1>faceless API gateway</h1>
<p>Send <code>Authorization: Bearer &lt;key&gt;</code> on every <code>/api/</code> route and JSON bodies with <code>content-type: application/json</code>.
Every error answers <code>{ "error": { "code", "message", "field"?, "requestId" } }</code>. The machine-readable description is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<table><thead><tr><th>Method</th><th>Path</th><th>Auth</th><th>What it does</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
