import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { StageKey } from '@faceless/contracts';
import { FacelessError } from '@faceless/runtime';
import { SEED_CATALOG, type StageCatalog } from './stage-catalog.ts';

export interface InstancePoolOptions {
  /** First cool-off after a failure; doubles on each further failure. */
  coolOffMs?: number;
  maxCoolOffMs?: number;
  now?: () => number;
}

interface InstanceState {
  url: string;
  failures: number;
  downUntil: number;
  lastFailedAt: number;
}

/**
 * The instances of one service: round-robin over those that are up; a failed instance sits out
 * a cool-off (doubling up to a cap); when every instance is down, the least recently failed one
 * is tried, so calls never stop altogether.
 */
export class InstancePool {
  private instances: InstanceState[];
  private next = 0;
  private readonly coolOffMs: number;
  private readonly maxCoolOffMs: number;
  private readonly now: () => number;

  constructor(urls: readonly string[], options: InstancePoolOptions = {}) {
    if (urls.length === 0) throw new FacelessError('INVALID_OPTION', 'an instance pool needs at least one URL');
    this.instances = [...new Set(urls.map(trimSlash))].map((url) => ({ url, failures: 0, downUntil: 0, lastFailedAt: 0 }));
    this.coolOffMs = options.coolOffMs ?? 5_000;
    this.maxCoolOffMs = options.maxCoolOffMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get urls(): string[] {
    return this.instances.map((i) => i.url);
  }

  get size(): number {
    return this.instances.length;
  }

  /** The next instance to call, skipping `exclude`; undefined when every instance is excluded. */
  pick(exclude: ReadonlySet<string> = new Set()): string | undefined {
    const now = this.now();
    const n = this.instances.length;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const inst = this.instances[i];
      if (inst && !exclude.has(inst.url) && inst.downUntil <= now) {
        this.next = (i + 1) % n;
        return inst.url;
      }
    }
    const candidates = this.instances.filter((i) => !exclude.has(i.url));
    candidates.sort((a, b) => a.lastFailedAt - b.lastFailedAt);
    return candidates[0]?.url;
  }

  markDown(url: string): void {
    const inst = this.find(url);
    if (!inst) return;
    const now = this.now();
    inst.failures += 1;
    inst.lastFailedAt = now;
    inst.downUntil = now + Math.min(this.maxCoolOffMs, this.coolOffMs * 2 ** (inst.failures - 1));
  }

  markUp(url: string): void {
    const inst = this.find(url);
    if (!inst) return;
    inst.failures = 0;
    inst.downUntil = 0;
  }

  isUp(url: string): boolean {
    const inst = this.find(url);
    return inst !== undefined && inst.downUntil <= this.now();
  }

  /**
   * Takes a new list of instances (a service scaled up or down, a replica moved): the ones still
   * listed keep their failure state, new ones start up, the others leave. An empty list is ignored.
   * Returns whether the list changed.
   */
  replace(urls: readonly string[]): boolean {
    const wanted = [...new Set(urls.map(trimSlash))];
    if (wanted.length === 0) return false;
    if (wanted.length === this.instances.length && wanted.every((u, i) => this.instances[i]?.url === u)) return false;
    this.instances = wanted.map((url) => this.find(url) ?? { url, failures: 0, downUntil: 0, lastFailedAt: 0 });
    this.next %= this.instances.length;
    return true;
  }

  private find(url: string): InstanceState | undefined {
    const u = trimSlash(url);
    return this.instances.find((i) => i.url === u);
  }
}

function trimSlash(url: string): string {
  return url.trim().replace(/\/+$/, '');
}

/** `video-assembler` → `VIDEO_ASSEMBLER_URL`. */
export function serviceUrlEnvName(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** The comma-separated URLs of a `<SERVICE>_URL` value, each checked; the fallback when empty. */
export function parseInstanceUrls(value: string | undefined, fallback: string, envName = 'URL'): string[] {
  const parts = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const urls = parts.length > 0 ? parts : [fallback];
  for (const u of urls) {
    let parsed: URL;
    try {
      parsed = new URL(u);
    } catch {
      throw new FacelessError('INVALID_OPTION', `${envName} has "${u}", which is not a URL: write e.g. http://video-assembler:3005`, { field: envName });
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new FacelessError('INVALID_OPTION', `${envName} has "${u}": only http:// and https:// URLs are supported`, { field: envName });
    }
  }
  return urls.map(trimSlash);
}

export type LookupAll = (host: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: LookupAll = (host) => dnsLookup(host, { all: true });

/**
 * One URL whose host name resolves to several addresses becomes one instance per address
 * (e.g. a compose service scaled to 3 replicas). A lookup failure or a single address keeps the
 * URL as written, so the name is resolved again at each connection.
 */
export async function expandInstances(urls: readonly string[], lookup: LookupAll = defaultLookup): Promise<string[]> {
  if (urls.length !== 1) return [...urls];
  const only = urls[0] as string;
  const url = new URL(only);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return [only];
  let addresses: { address: string; family: number }[];
  try {
    addresses = await lookup(host);
  } catch {
    return [only];
  }
  const unique = [...new Set(addresses.map((a) => (a.family === 6 ? `[${a.address}]` : a.address)))];
  if (unique.length < 2) return [only];
  return unique.map((address) => {
    const u = new URL(only);
    u.hostname = address;
    return trimSlash(u.toString());
  });
}

/** One pool per stage of the catalog (default the seed's) from `<SERVICE>_URL`; default the stage's port on loopback. */
export function createStagePools(
  env: Record<string, string | undefined>, options?: InstancePoolOptions & { lookup?: LookupAll },
): Promise<Record<StageKey, InstancePool>>;
export function createStagePools<K extends string>(
  env: Record<string, string | undefined>, options: InstancePoolOptions & { lookup?: LookupAll; catalog: StageCatalog<K> },
): Promise<Record<K, InstancePool>>;
export async function createStagePools<K extends string>(
  env: Record<string, string | undefined>,
  options: InstancePoolOptions & { lookup?: LookupAll; catalog?: StageCatalog<K> } = {},
): Promise<Record<K, InstancePool>> {
  const catalog = options.catalog ?? (SEED_CATALOG as unknown as StageCatalog<K>);
  const problems: string[] = [];
  const lists = catalog.map((s) => {
    const name = serviceUrlEnvName(s.service);
    try {
      return parseInstanceUrls(env[name], `http://127.0.0.1:${s.port}`, name);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      return [];
    }
  });
  if (problems.length > 0) throw new FacelessError('INVALID_OPTION', `invalid stage URLs: ${problems.join('; ')}`);
  const entries = await Promise.all(catalog.map(async (s, i) => {
    const configured = lists[i] ?? [];
    const pool = new InstancePool(await expandInstances(configured, options.lookup), options);
    configuredUrls.set(pool, configured);
    return [s.key, pool] as const;
  }));
  return Object.fromEntries(entries) as Record<K, InstancePool>;
}

/** The URLs each pool was configured with (before DNS expansion), for refreshStagePools. */
const configuredUrls = new WeakMap<InstancePool, readonly string[]>();

/**
 * Resolves each pool's configured host name again and updates its instances, so that replicas
 * started or moved after the orchestrator started are called too. A failed lookup keeps the pool as
 * it is. Returns the stages whose instances changed.
 */
export async function refreshStagePools<K extends string>(pools: Record<K, InstancePool>, lookup: LookupAll = defaultLookup): Promise<K[]> {
  const changed: K[] = [];
  await Promise.all(Object.entries<InstancePool>(pools).map(async ([key, pool]) => {
    const configured = configuredUrls.get(pool);
    if (!configured || configured.length !== 1) return;
    let failed = false;
    const urls = await expandInstances(configured, (host) => lookup(host).catch((err: unknown) => {
      failed = true;
      throw err;
    }));
    if (!failed && pool.replace(urls)) changed.push(key as K);
  }));
  return changed;
}
