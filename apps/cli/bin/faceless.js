#!/usr/bin/env node
// Runs the CLI from its TypeScript source through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
// `faceless … | head`: a reader that stops early is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
