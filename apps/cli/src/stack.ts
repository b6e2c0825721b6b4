import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { STAGES } from '@faceless/contracts';
import { FacelessError, sleep } from '@faceless/runtime';

/** The ten processes of the seed, in start order: business services first, then the orchestrator, then the gateway. */
export const STACK_SERVICES = [
  ...STAGES.map((s) => ({ name: s.service as string, port: s.port as number })),
  { name: 'orchestrator', port: 3001 },
  { name: 'api-gateway', port: 3000 },
] as const;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function urlEnvName(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** Each service's environment: its own PORT and HOST, and the addresses of the others (pure). */
export function stackEnv(base: Record<string, string | undefined>, ports: Record<string, number>, host: string): Record<string, Record<string, string>> {
  const addresses = Object.fromEntries(Object.entries(ports).map(([name, port]) => [urlEnvName(name), `http://${host}:${port}`]));
  const shared = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  return Object.fromEntries(STACK_SERVICES.map((s) => [s.name, { ...shared, ...addresses, PORT: String(ports[s.name] ?? s.port), HOST: host }]));
}

export interface RunningService {
  name: string;
  port: number;
  child: ChildProcess;
  /** The last lines the service printed, for error messages. */
  tail(): string;
}

export interface Stack {
  services: RunningService[];
  url(name: string): string;
  /** Kills one service (SIGKILL, as a crash would) without waiting. */
  kill(name: string): void;
  /** Starts a killed service again on the same port and waits until it is ready. */
  restart(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartStackOptions {
  env: Record<string, string | undefined>;
  host?: string;
  ports?: Partial<Record<string, number>>;
  readyTimeoutMs?: number;
  onLine?: (service: string, line: string) => void;
  onReady?: (service: string, url: string) => void;
  /** Start a service that exits on its own again, with backoff, until stop() (what `faceless stack` does). */
  supervise?: SuperviseOptions;
}

export interface SuperviseOptions {
  /** First wait before a restart; doubles after each quick crash, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A service that ran this long before it exited starts again after baseDelayMs (its backoff is reset). */
  healthyAfterMs?: number;
  onExit?: (service: string, info: { code: number | null; signal: string | null; delayMs: number; tail: string }) => void;
  onRestarted?: (service: string, url: string) => void;
  onRestartFailed?: (service: string, error: Error) => void;
}

/** The wait before the next start of a service that exited after `ranMs`, its `attempt`-th quick crash in a row (pure). */
export function restartDelay(attempt: number, ranMs: number, options: SuperviseOptions = {}): { delayMs: number; attempt: number } {
  const base = options.baseDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  const next = ranMs >= (options.healthyAfterMs ?? 60_000) ? 1 : attempt + 1;
  return { delayMs: Math.min(max, base * 2 ** (next - 1)), attempt: next };
}

async function waitReady(s: RunningService, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new FacelessError('STAGE_UNAVAILABLE', `${s.name} exited during start-up (${s.child.exitCode ?? s.child.signalCode}): ${s.tail()}`);
    }
    try {
      const r = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) {
        // Another program on the same port would answer too: make sure it is this service, and that it still runs.
        const health = (await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).json()) as { service?: string };
        if (health.service !== s.name || s.child.exitCode !== null || s.child.signalCode !== null) {
          throw new FacelessError('CONFLICT', `${url} is answered by ${health.service ?? 'another program'}, not ${s.name}: free port ${s.port} or choose another (PORT)`);
        }
        return;
      }
    } catch (err) {
      if (err instanceof FacelessError) throw err;
      /* not listening yet */
    }
    await sleep(250);
  }
  throw new FacelessError('STAGE_UNAVAILABLE', `${s.name} was not ready at ${url}/ready after ${Math.round(timeoutMs / 1000)} s: ${s.tail()}`);
}

/** Starts the ten services as processes on loopback, each running its own main.ts, and waits for each /ready. */
export async function startStack(options: StartStackOptions): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const ports = Object.fromEntries(STACK_SERVICES.map((s) => [s.name, options.ports?.[s.name] ?? s.port]));
  const envs = stackEnv(options.env, ports, host);
  const services: RunningService[] = [];
  const url = (name: string): string => `http://${host}:${ports[name]}`;
  let stopping = false;
  const pendingRestarts = new Set<NodeJS.Timeout>();
  const stop = async (): Promise<void> => {
    stopping = true;
    for (const timer of pendingRestarts) clearTimeout(timer);
    pendingRestarts.clear();
    await Promise.all(services.map((s) => new Promise<void>((resolve) => {
      if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
      const force = setTimeout(() => s.child.kill('SIGKILL'), 5000);
      s.child.once('exit', () => { clearTimeout(force); resolve(); });
      s.child.kill('SIGTERM');
    })));
  };
  const launch = (name: string): RunningService => {
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
      cwd: ROOT, env: envs[name], stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        lines.push(line);
        if (lines.length > 20) lines.shift();
        options.onLine?.(name, line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const s: RunningService = { name, port: ports[name] ?? 0, child, tail: () => lines.slice(-5).join('\n') };
    services.push(s);
    return s;
  };
  const crashes = new Map<string, number>();
  const replacing = new WeakSet<RunningService>();
  const supervise = (s: RunningService): void => {
    const supervisor = options.supervise;
    if (!supervisor) return;
    const startedAt = Date.now();
    s.child.once('exit', (code, signal) => {
      // stop() and restart() end children on purpose; a replaced child is no longer the service.
      if (stopping || replacing.has(s) || !services.includes(s)) return;
      const { delayMs, attempt } = restartDelay(crashes.get(s.name) ?? 0, Date.now() - startedAt, supervisor);
      crashes.set(s.name, attempt);
      supervisor.onExit?.(s.name, { code, signal, delayMs, tail: s.tail() });
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (stopping) return;
        services.splice(services.indexOf(s), 1);
        const next = launch(s.name);
        supervise(next);
        waitReady(next, url(s.name), options.readyTimeoutMs ?? 60_000).then(
          () => supervisor.onRestarted?.(s.name, url(s.name)),
          (err: unknown) => supervisor.onRestartFailed?.(s.name, err as Error),
        );
      }, delayMs);
      pendingRestarts.add(timer);
    });
  };
  const find = (name: string): RunningService => {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`no service ${name} in the stack`);
    return s;
  };
  const kill = (name: string): void => { find(name).child.kill('SIGKILL'); };
  const restart = async (name: string): Promise<void> => {
    const old = find(name);
    replacing.add(old);
    if (old.child.exitCode === null && old.child.signalCode === null) {
      await new Promise<void>((resolve) => { old.child.once('exit', () => resolve()); old.child.kill('SIGKILL'); });
    }
    services.splice(services.indexOf(old), 1);
    const next = launch(name);
    supervise(next);
    await waitReady(next, url(name), options.readyTimeoutMs ?? 60_000);
  };
  try {
    const business = STACK_SERVICES.slice(0, STAGES.length).map((s) => launch(s.name));
    await Promise.all(business.map(async (s) => {
      await waitReady(s, url(s.name), options.readyTimeoutMs ?? 60_000);
      options.onReady?.(s.name, url(s.name));
    }));
    for (const name of ['orchestrator', 'api-gateway']) {
      const s = launch(name);
      await waitReady(s, url(name), options.readyTimeoutMs ?? 60_000);
      options.onReady?.(name, url(name));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  for (const s of services) supervise(s);
  return { services, url, kill, restart, stop };
}
