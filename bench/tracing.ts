// The cost of tracing (issue 13): a render (bench/render.ts) and a whole offline pipeline (faceless make),
// each run as its own process with tracing off (no OTEL_* variables: no SDK loaded) and on (exporting
// OTLP http/protobuf, the default protocol, to a sink in this process every 1 s), off and on alternating
// after one untimed run of each case:
//   node --import tsx bench/tracing.ts [--runs 3] [--seconds 30]
// Prints one JSON line per run, then a markdown row per case and mode: median wall time, median CPU
// time of the process and its children, and how many exports (and KB) the sink received.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, loadAverage } from './bench-inputs.ts';
import { treeCpuSeconds } from './process-tree-memory.ts';

const runs = Number(flag('--runs') ?? 3);
const seconds = Number(flag('--seconds') ?? 30);

let exports = 0;
let exportedBytes = 0;
const sink = createServer((req, res) => {
  req.on('data', (c: Buffer) => { exportedBytes += c.length; });
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

type Mode = 'off' | 'on';
interface Result { case: 'render' | 'make'; mode: Mode; run: number; wallSec: number; cpuSec: number; exports: number; exportedKB: number; load: number }

function envFor(mode: Mode): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  return mode === 'off' ? env : { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '1000' };
}

/** Runs a command to its end: wall time, its tree's CPU time, and its stdout. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ wallSec: number; cpuSec: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuBefore = treeCpuSeconds();
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}`));
      // The child and its ffmpeg runs, all waited for by now (this process's own share is the sink's).
      resolve({ wallSec: (performance.now() - started) / 1000, cpuSec: treeCpuSeconds() - cpuBefore, stdout });
    });
  });
}

async function once(kind: Result['case'], mode: Mode, index: number, out: string): Promise<Result> {
  const load = loadAverage();
  const [e0, b0] = [exports, exportedBytes];
  let wallSec: number;
  let cpuSec: number;
  if (kind === 'render') {
    const r = await run(['bench/render.ts', String(seconds)], envFor(mode));
    // The render's own timing, without the process's start.
    const line = JSON.parse(r.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as { wallSec?: number };
    wallSec = line.wallSec ?? r.wallSec;
    cpuSec = r.cpuSec;
  } else {
    const r = await run(['apps/cli/bin/faceless.js', 'make', 'Why the sky is blue', '--duration', String(seconds), '--no-music', '--fresh', '--out', join(out, `${mode}-${index}`)], envFor(mode));
    wallSec = r.wallSec;
    cpuSec = r.cpuSec;
  }
  return { case: kind, mode, run: index, wallSec: Number(wallSec.toFixed(2)), cpuSec: Number(cpuSec.toFixed(1)), exports: exports - e0, exportedKB: Math.round((exportedBytes - b0) / 1000), load };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] ?? Number.NaN : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

const out = await mkdtemp(join(tmpdir(), 'faceless-tracing-bench-'));
const results: Result[] = [];
try {
  for (const kind of ['render', 'make'] as const) {
    // Untimed: the first run of a case fills caches (fonts, the speech engine, generated media) for the others.
    await once(kind, 'off', 0, out);
    for (let i = 1; i <= runs; i++) {
      for (const mode of (i % 2 ? ['off', 'on'] : ['on', 'off']) as Mode[]) {
        const r = await once(kind, mode, i, out);
        results.push(r);
        console.log(JSON.stringify(r));
      }
    }
  }
} finally {
  sink.close();
  await rm(out, { recursive: true, force: true });
}
console.log(`\n| case | tracing | runs | median wall | median CPU | exports (KB) |\n|---|---|---|---|---|---|`);
for (const kind of ['render', 'make'] as const) {
  const off = results.filter((r) => r.case === kind && r.mode === 'off');
  for (const mode of ['off', 'on'] as const) {
    const rows = results.filter((r) => r.case === kind && r.mode === mode);
    const wall = median(rows.map((r) => r.wallSec));
    const change = mode === 'on' ? ` (${(((wall / median(off.map((r) => r.wallSec))) - 1) * 100).toFixed(1)} %)` : '';
    console.log(`| ${kind} ${seconds} s | ${mode} | ${rows.length} | ${wall.toFixed(2)} s${change} | ${median(rows.map((r) => r.cpuSec)).toFixed(1)} s | ${rows.reduce((a, r) => a + r.exports, 0)} (${rows.reduce((a, r) => a + r.exportedKB, 0)}) |`);
  }
}
