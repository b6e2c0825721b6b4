// The dashboard's build: one hashed JS and CSS file under dist/assets/, no inline script (the gateway's CSP has no
// 'unsafe-inline'), nothing fetched from a CDN. `npm run dev` proxies /api to a `faceless serve` on :3000.
import { defineConfig } from 'vite';

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
