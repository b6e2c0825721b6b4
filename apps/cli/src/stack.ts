import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { STAGES } from '@faceless/contracts';
import { serviceUrlEnvName } from '@faceless/pipeline';
import { FacelessError, sleep } from '@faceless/runtime';

/** The ten processes of the seed, in start order: business services first, then the orchestrator, then the gateway. */
export const STACK_SERVICES = [
  ...STAGES.map((s) => ({ name: s.service as string, port: s.port as number })),
  { name: 'orchestrator', port: 3001 },
  { name: 'api-gateway', port: 3000 },
] as const;

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the k-th replica (from 0) of a service listens when no port is given for it: the service's port + 100·k. */
const REPLICA_PORT_STEP = 100;

/**
 * Each service's environment: its HOST, the PORT of its first replica, and the addresses of the others (pure).
 * The orchestrator is given every replica of a stage service (a comma-separated `<SERVICE>_URL`, which it
 * calls in turn and routes around a dead one); the gateway, which takes one URL per upstream, the first.
 */
export function stackEnv(base: Record<string, string | undefined>, ports: Record<string, readonly number[]>, host: string): Record<string, Record<string, string>> {
  const urls = (name: string): string[] => (ports[name] ?? []).map((port) => `http://${host}:${port}`);
  const first = Object.fromEntries(Object.keys(ports).map((name) => [serviceUrlEnvName(name), urls(name)[0] ?? '']));
  const every = Object.fromEntries(Object.keys(ports).map((name) => [serviceUrlEnvName(name), urls(name).join(',')]));
  const shared = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  return Object.fromEntries(STACK_SERVICES.map((s) => [s.name, {
    ...shared, ...(s.name === 'orchestrator' ? every : first), PORT: String(ports[s.name]?.[0] ?? s.port), HOST: host,
  }]));
}

/** The ports of each service's replicas: those given, else the seed port (+100 for each further replica). */
export function stackPorts(ports: StartStackOptions['ports'] = {}, replicas: StartStackOptions['replicas'] = {}): Record<string, number[]> {
  const problems: string[] = [];
  const result = Object.fromEntries(STACK_SERVICES.map((s) => {
    const count = replicas[s.name] ?? 1;
    if (!Number.isInteger(count) || count < 1 || (count > 1 && STAGES.every((st) => st.service !== s.name))) {
      problems.push(`${s.name}: ${count} replicas (a stage service may have 1 or more; the orchestrator and the gateway run once)`);
    }
    const given = ports[s.name];
    const list = Array.isArray(given) ? given : Array.from({ length: count }, (_, k) => (typeof given === 'number' ? given : s.port) + REPLICA_PORT_STEP * k);
    if (list.length !== count) problems.push(`${s.name}: ${list.length} ports for ${count} replicas`);
    return [s.name, list];
  }));
  for (const name of Object.keys(replicas)) {
    if (!STACK_SERVICES.some((s) => s.name === name)) problems.push(`${name}: no such service`);
  }
  if (problems.length > 0) throw new FacelessError('INVALID_OPTION', `bad stack replicas: ${problems.join('; ')}`, { field: 'replicas' });
  return result;
}

/** `--replicas uploader=2,video-assembler=3`: the count of each named service (checked by stackPorts). */
export function parseReplicas(text: string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z-]+)=(\d{1,2})$/.exec(part);
    if (!match?.[1] || !match[2]) {
      throw new FacelessError('INVALID_OPTION', `--replicas: "${part}" is not <service>=<count>, e.g. uploader=2`, { field: 'replicas' });
    }
    result[match[1]] = Number(match[2]);
  }
  stackPorts({}, result);
  return result;
}

/** How a replica is named in messages: the service's name, with #k (from 1) when it runs several. */
function replicaLabel(name: string, replica: number, count: number): string {
  return count > 1 ? `${name}#${replica + 1}` : name;
}

export interface RunningService {
  name: string;
  /** Which replica of the service, from 0. */
  replica: number;
  /** The name in messages and callbacks: `uploader`, or `uploader#2` when the service runs several replicas. */
  label: string;
  port: number;
  child: ChildProcess;
  /** The last lines the service printed, for error messages. */
  tail(): string;
}

export interface Stack {
  services: RunningService[];
  /** The address of a service's replica (the first by default). */
  url(name: string, replica?: number): string;
  /** The addresses of all replicas of a service. */
  urls(name: string): string[];
  /** Kills one replica of a service (SIGKILL, as a crash would) without waiting. */
  kill(name: string, replica?: number): void;
  /** Starts a killed replica again on the same port and waits until it is ready. */
  restart(name: string, replica?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartStackOptions {
  env: Record<string, string | undefined>;
  host?: string;
  /** A port per service, or one per replica; a further replica without one takes the service's port + 100·k. */
  ports?: Partial<Record<string, number | readonly number[]>>;
  /** Processes of a stage service (default 1), e.g. { uploader: 2 }: the orchestrator spreads its calls over them. */
  replicas?: Partial<Record<string, number>>;
  readyTimeoutMs?: number;
  /** `service` is the replica's label (RunningService.label) in these callbacks and the supervisor's. */
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

/**
 * Starts the ten services as processes on loopback, each running its own main.ts (a stage service with
 * replicas once per replica, each on its own port), and waits for each /ready.
 */
export async function startStack(options: StartStackOptions): Promise<Stack> {
  const host = options.host ?? '127.0.0.1';
  const ports = stackPorts(options.ports, options.replicas);
  const envs = stackEnv(options.env, ports, host);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const services: RunningService[] = [];
  const portOf = (name: string, replica: number): number => {
    const port = ports[name]?.[replica];
    if (port === undefined) throw new Error(`no replica ${replica + 1} of ${name} in the stack`);
    return port;
  };
  const url = (name: string, replica = 0): string => `http://${host}:${portOf(name, replica)}`;
  const urls = (name: string): string[] => (ports[name] ?? []).map((_, k) => url(name, k));
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
  const launch = (name: string, replica: number): RunningService => {
    const port = portOf(name, replica);
    const label = replicaLabel(name, replica, ports[name]?.length ?? 1);
    const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
      cwd: ROOT, env: { ...envs[name], PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        lines.push(line);
        if (lines.length > 20) lines.shift();
        options.onLine?.(label, line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const s: RunningService = { name, replica, label, port, child, tail: () => lines.slice(-5).join('\n') };
    services.push(s);
    return s;
  };
  const ready = (s: RunningService): Promise<void> => waitReady(s, url(s.name, s.replica), readyTimeoutMs);
  const crashes = new Map<string, number>();
  const replacing = new WeakSet<RunningService>();
  const supervise = (s: RunningService): void => {
    const supervisor = options.supervise;
    if (!supervisor) return;
    const startedAt = Date.now();
    s.child.once('exit', (code, signal) => {
      // stop() and restart() end children on purpose; a replaced child is no longer the service.
      if (stopping || replacing.has(s) || !services.includes(s)) return;
      const { delayMs, attempt } = restartDelay(crashes.get(s.label) ?? 0, Date.now() - startedAt, supervisor);
      crashes.set(s.label, attempt);
      supervisor.onExit?.(s.label, { code, signal, delayMs, tail: s.tail() });
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (stopping) return;
        services.splice(services.indexOf(s), 1);
        const next = launch(s.name, s.replica);
        supervise(next);
        ready(next).then(
          () => supervisor.onRestarted?.(s.label, url(s.name, s.replica)),
          (err: unknown) => supervisor.onRestartFailed?.(s.label, err as Error),
        );
      }, delayMs);
      pendingRestarts.add(timer);
    });
  };
  const find = (name: string, replica = 0): RunningService => {
    const s = services.find((x) => x.name === name && x.replica === replica);
    if (!s) throw new Error(`no replica ${replica + 1} of ${name} in the stack`);
    return s;
  };
  const kill = (name: string, replica = 0): void => { find(name, replica).child.kill('SIGKILL'); };
  const restart = async (name: string, replica = 0): Promise<void> => {
    const old = find(name, replica);
    replacing.add(old);
    if (old.child.exitCode === null && old.child.signalCode === null) {
      await new Promise<void>((resolve) => { old.child.once('exit', () => resolve()); old.child.kill('SIGKILL'); });
    }
    services.splice(services.indexOf(old), 1);
    const next = launch(name, replica);
    supervise(next);
    await ready(next);
  };
  const startAll = async (names: readonly string[]): Promise<void> => {
    const started = names.flatMap((name) => (ports[name] ?? []).map((_, k) => launch(name, k)));
    await Promise.all(started.map(async (s) => {
      await ready(s);
      options.onReady?.(s.label, url(s.name, s.replica));
    }));
  };
  try {
    await startAll(STACK_SERVICES.slice(0, STAGES.length).map((s) => s.name));
    await startAll(['orchestrator']);
    await startAll(['api-gateway']);
  } catch (err) {
    await stop();
    throw err;
  }
  for (const s of services) supervise(s);
  return { services, url, urls, kill, restart, stop };
}
