/**
 * `faceless keys create|list|revoke`: the gateway's API keys in the keys file it reads (API_KEYS_FILE, else
 * <FACELESS_DATA_DIR>/api-keys.json), which it reads again when it changes. A key is printed once and
 * only its sha256 is stored.
 */
import type { Command } from 'commander';
import {
  createApiKey, defaultKeysFilePath, parseApiKeysEnv, readKeysFile, updateKeysFile, type ApiKeyRecord,
} from '@faceless/api-gateway';
import { FacelessError, isFacelessError } from '@faceless/runtime';
import { cliCommand, parseCli, UsageError } from './cli-parse.ts';

export const KEYS_USAGE = `Usage: faceless keys <command>

API keys of the HTTP API (faceless serve, faceless stack). Clients send one as
"Authorization: Bearer <key>". The gateway re-reads the keys file when it changes, so a
created or revoked key takes effect without a restart.

Commands:
  create <name> [--rate-limit <n>]   make a key, print it once (only its sha256 is stored);
                                     --rate-limit: requests a minute for this key (default RATE_LIMIT_PER_MINUTE)
  list                               the keys: name, created, rate limit, start of the hash
  revoke <name>                      remove a key: requests with it are refused from then on
  faceless keys <command> --help     the arguments and options of one command

The keys file: API_KEYS_FILE when set, else <FACELESS_DATA_DIR or ~/.faceless>/api-keys.json.
Keys in API_KEYS (id:sha256hex pairs) are accepted too but are not managed here.`;

const NAME = /^[\w.-]{1,64}$/;

export interface KeysIo {
  env: Record<string, string | undefined>;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  now?: () => Date;
}

function envKeyIds(env: Record<string, string | undefined>): string[] {
  return env.API_KEYS ? parseApiKeysEnv(env.API_KEYS).records.map((r) => r.id) : [];
}

/** `faceless keys`: its commands, their arguments and options. */
export function keysCli(): Command {
  const keys = cliCommand('faceless keys', 'API keys of the HTTP API');
  keys.command('create').description('make a key and print it once (only its sha256 is stored)')
    .argument('[name...]', 'the key\'s name: 1-64 letters, digits, "_", "." or "-"')
    .option('--rate-limit <n>', 'requests a minute for this key, 1-100000 (default RATE_LIMIT_PER_MINUTE)');
  keys.command('list').description('the keys: name, created, rate limit, start of the hash');
  keys.command('revoke').description('remove a key: requests with it are refused from then on')
    .argument('[name...]', 'the key\'s name (see faceless keys list)');
  return keys.configureHelp({ formatHelp: () => `${KEYS_USAGE}\n` });
}

function oneName(positionals: readonly string[], command: string): string {
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError('<name>', `missing: faceless keys ${command} <name>`);
  if (extra.length > 0) throw new UsageError('<name>', `one name only, got ${positionals.length}: ${positionals.join(' ')}`);
  if (!NAME.test(name)) throw new UsageError('<name>', `"${name}" must be 1-64 letters, digits, "_", "." or "-"`);
  return name;
}

function parseRateLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(n) || n < 1 || n > 100_000) {
    throw new UsageError('--rate-limit', `"${raw}" is not a whole number of requests a minute from 1 to 100000`);
  }
  return n;
}

async function create(positionals: readonly string[], rateLimit: string | undefined, io: KeysIo, file: string): Promise<number> {
  const name = oneName(positionals, 'create');
  const rateLimitPerMinute = parseRateLimit(rateLimit);
  if (envKeyIds(io.env).includes(name)) {
    throw new FacelessError('CONFLICT', `API_KEYS already has a key "${name}": choose another name`, { field: 'name' });
  }
  const { key, hash } = createApiKey();
  const record: ApiKeyRecord = {
    id: name, name, hash, createdAt: (io.now?.() ?? new Date()).toISOString(), ...(rateLimitPerMinute ? { rateLimitPerMinute } : {}),
  };
  await updateKeysFile(file, (records) => {
    const existing = records.find((r) => r.name === name || r.id === name);
    if (existing) {
      throw new FacelessError('CONFLICT', `a key named "${name}" already exists${existing.createdAt ? ` (created ${existing.createdAt})` : ''} in ${file}: revoke it first with "faceless keys revoke ${name}", or choose another name`, { field: 'name' });
    }
    return { records: [...records, record], result: undefined };
  });
  // The key alone on stdout, so that `KEY=$(faceless keys create ci)` works; the rest goes to stderr.
  io.stdout.write(`${key}\n`);
  io.stderr.write(`Created key "${name}" in ${file} (only its sha256 is stored). It is shown this once: give it to the client, who sends "Authorization: Bearer <key>".\n`);
  return 0;
}

function formatTable(records: readonly ApiKeyRecord[]): string {
  const rows = [['NAME', 'ID', 'CREATED', 'RATE LIMIT', 'HASH'], ...records.map((r) => [
    r.name, r.id, r.createdAt?.slice(0, 10) ?? '-', r.rateLimitPerMinute ? `${r.rateLimitPerMinute}/min` : 'default', `${r.hash.slice(0, 8)}…`,
  ])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

async function list(io: KeysIo, file: string): Promise<number> {
  const records = await readKeysFile(file);
  if (records.length === 0) io.stdout.write(`No keys in ${file}: create one with "faceless keys create <name>".\n`);
  else io.stdout.write(`${formatTable(records)}\n`);
  const fixed = envKeyIds(io.env);
  if (fixed.length > 0) io.stdout.write(`Also accepted, from API_KEYS: ${fixed.join(', ')}\n`);
  return 0;
}

async function revoke(positionals: readonly string[], io: KeysIo, file: string): Promise<number> {
  const name = oneName(positionals, 'revoke');
  await updateKeysFile(file, (records) => {
    const kept = records.filter((r) => r.name !== name && r.id !== name);
    if (kept.length === records.length) {
      const inEnv = envKeyIds(io.env).includes(name);
      const known = records.map((r) => r.name);
      throw new FacelessError('NOT_FOUND', inEnv
        ? `the key "${name}" is set in API_KEYS, not in ${file}: remove it from API_KEYS and restart the gateway`
        : `no key named "${name}" in ${file}${known.length > 0 ? `; the keys there are: ${known.join(', ')}` : ' (it holds no keys)'}`, { field: 'name' });
    }
    return { records: kept, result: undefined };
  });
  io.stdout.write(`Revoked key "${name}": the gateway refuses it from its next check of ${file} (within a second or two).\n`);
  return 0;
}

/** Runs `faceless keys …`; returns the exit code: 0 done, 1 failed, 2 bad usage. */
export async function keysCommand(argv: readonly string[], io: KeysIo): Promise<number> {
  try {
    const parsed = parseCli(keysCli(), argv, (text) => { io.stdout.write(text); });
    if ('help' in parsed) return parsed.help;
    const file = defaultKeysFilePath(io.env);
    const names = (parsed.args[0] ?? []) as string[];
    switch (parsed.command.name()) {
      case 'create': return await create(names, parsed.values['rate-limit'] as string | undefined, io, file);
      case 'list': return await list(io, file);
      default: return await revoke(names, io, file);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`faceless keys: ${(err as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`faceless keys: ${isFacelessError(err) ? `error [${err.code}]: ${err.message}` : `error: ${(err as Error).message}`}\n`);
    return 1;
  }
}
