// `faceless <command> --help` for every command and subcommand, through the real binary: exit 0, the
// usage on stdout, and nothing started: no port bound (3000-3009 are held here, so a server that
// tried would fail), no database or keys file in the data folder, no ffmpeg run, and it exits by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abtestCli } from './abtest-command.ts';
import { channelsCli } from './channels-command.ts';
import { keysCli } from './keys-command.ts';
import { COMMANDS } from './main.ts';

const BIN = fileURLToPath(new URL('../bin/faceless.js', import.meta.url));
const STACK_PORTS = Array.from({ length: 10 }, (_, i) => 3000 + i);

let dir: string;
let dataDir: string;
let marker: string;
const held: Server[] = [];

function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-help-'));
  dataDir = join(dir, 'data');
  marker = join(dir, 'ran');
  await mkdir(dataDir);
  // ffmpeg, ffprobe and espeak-ng that leave a mark: a --help that runs any of them is caught
  const bin = join(dir, 'bin');
  await mkdir(bin);
  for (const tool of ['ffmpeg', 'ffprobe', 'espeak-ng']) {
    await writeFile(join(bin, tool), `#!/bin/sh\necho ${tool} >> '${marker}'\nexit 1\n`);
    await chmod(join(bin, tool), 0o755);
  }
  // A port another test holds stays theirs; the free ones are held here for the whole file.
  for (const port of STACK_PORTS) {
    const server = await listen(port);
    if (server) held.push(server);
  }
});

after(async () => {
  await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

interface Run { code: number | null; out: string; err: string; ms: number }

function run(args: readonly string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env, FACELESS_DATA_DIR: dataDir, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
        DATABASE_URL: 'postgres://127.0.0.1:1/nothing', API_KEYS_FILE: join(dataDir, 'keys.json'), LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    // a command that started something would not come back: stop it and let the assertions say so
    // (generous: on a loaded 2-core machine loading a command's modules through tsx takes seconds)
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}

/** Runs a few at a time (2 cores): each is a node process compiling the CLI through tsx. */
async function runAll(lines: readonly (readonly string[])[]): Promise<Map<string, Run>> {
  const results = new Map<string, Run>();
  const queue = [...lines];
  await Promise.all(Array.from({ length: 2 }, async () => {
    for (let line = queue.shift(); line; line = queue.shift()) results.set(line.join(' '), await run(line));
  }));
  return results;
}

const groups = { keys: keysCli(), channels: channelsCli(), abtest: abtestCli() };
const lines: string[][] = [
  ['--help'], ['-h'], ['help'],
  ...COMMANDS.map(([name]) => [name, '--help']),
  ...Object.entries(groups).flatMap(([group, cli]) => cli.commands.map((sub) => [group, sub.name(), '--help'])),
  ['stack', '-h'], ['help', 'stack'], ['help', 'abtest', 'create'], ['serve', '--port', '3000', '--help'],
];

test('every command and subcommand has --help: exit 0, its usage, and nothing started', async () => {
  assert.ok(held.length > 0, 'at least one of 3000-3009 is held by this test');
  assert.ok(lines.length >= 3 + 9 + 3 + 3 + 9, `${lines.length} command lines`);
  for (const name of ['make', 'publish', 'serve', 'stack', 'voices', 'doctor', 'keys', 'channels', 'abtest']) {
    assert.ok(COMMANDS.some(([n]) => n === name), `${name} is a command`);
  }
  const results = await runAll(lines);
  for (const line of lines) {
    const shown = line.join(' ');
    const r = results.get(shown)!;
    assert.equal(r.code, 0, `faceless ${shown}: exit ${String(r.code)} after ${r.ms} ms (null: still running after a minute, so killed)\n${r.err}`);
    assert.match(r.out, /Usage:\s+faceless/, `faceless ${shown} prints its usage`);
    assert.equal(r.err, '', `faceless ${shown} wrote nothing to stderr`);
  }
  // the usage is the command's own
  const sub = (shown: string): string => results.get(shown)!.out;
  assert.match(sub('stack --help'), /^Usage: faceless stack/m);
  assert.match(sub('serve --help'), /^Usage: faceless serve \[options\][\s\S]*--port <n>[\s\S]*--host <host>/m);
  assert.match(sub('voices --help'), /^Usage: faceless voices \[options\][\s\S]*--lang <code>/m);
  assert.match(sub('abtest create --help'), /^Usage: faceless abtest create[\s\S]*--video <id>[\s\S]*--variant <spec>[\s\S]*--from <out-dir>/m);
  assert.match(sub('help abtest create'), /^Usage: faceless abtest create/m);
  assert.match(sub('keys revoke --help'), /^Usage: faceless keys revoke/m);
  assert.match(sub('make --help'), /--duration <time>/);
  assert.match(sub('--help'), /faceless <command> --help|faceless make --help/);

  assert.deepEqual(await readdir(dataDir), [], 'no database, keys file or channel opened in the data folder');
  await assert.rejects(readdir(marker), { code: 'ENOENT' }, 'no ffmpeg, ffprobe or espeak-ng run');
  for (const server of held) {
    const { port } = server.address() as { port: number };
    assert.ok(server.listening, `port ${port} still held by this test`);
  }
});

test('unknown commands and options: a suggestion, exit 2, the options named', async () => {
  const results = await runAll([['stak'], ['make', 'x', '--durration', '30'], ['serve', '--prot', '3000'], ['abtest', 'creat'], ['keys', 'list', '--all']]);
  const expect: [string, RegExp][] = [
    ['stak', /^faceless: stak: unknown command; did you mean stack\? \(see "faceless --help"\)$/m],
    ['make x --durration 30', /^faceless: --durration: unknown option; did you mean --duration\? \(see "faceless make --help"\)$/m],
    ['serve --prot 3000', /^faceless: --prot: unknown option; did you mean --port\?/m],
    ['abtest creat', /^faceless abtest: creat: unknown command; did you mean create\?/m],
    ['keys list --all', /^faceless keys: --all: unknown option; see "faceless keys list --help"$/m],
  ];
  for (const [shown, message] of expect) {
    const r = results.get(shown)!;
    assert.equal(r.code, 2, `faceless ${shown}: ${r.err}`);
    assert.match(r.err, message);
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  }
});
