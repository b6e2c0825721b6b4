// Checks deploy/ against the seed's "Déploiement Docker Compose" and "Réseau Docker" without a Docker engine.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { STAGES } from '@faceless/contracts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const composeText = read('deploy/docker-compose.microservices.yml');
const dockerfile = read('deploy/Dockerfile');
const envExample = read('deploy/.env.example');

interface Healthcheck { test?: string | string[] }
interface DependsOn { condition?: string }
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  ports?: (string | { published?: string | number; target?: number })[];
  networks?: string[] | Record<string, unknown>;
  volumes?: (string | { source?: string; target?: string })[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[];
  healthcheck?: Healthcheck;
  depends_on?: string[] | Record<string, DependsOn>;
  container_name?: string;
  deploy?: { replicas?: number };
  expose?: unknown;
}
interface Compose {
  services: Record<string, Service>;
  networks?: Record<string, { driver?: string } | null>;
  volumes?: Record<string, unknown>;
}

// Compose resolves YAML 1.1 merge keys (`<<: *anchor`); so must the parser.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;

const INFRA = {
  redis: { image: /^redis:7-alpine$/, volume: 'redis-data' },
  rabbitmq: { image: /^rabbitmq:3-management$/, volume: 'rabbitmq-data' },
  postgres: { image: /^postgres:16-alpine$/, volume: 'postgres-data' },
  minio: { image: /^minio\/minio(:latest)?$/, volume: 'minio-data' },
} as const;

const APP_PORTS: Record<string, number> = {
  'api-gateway': 3000,
  orchestrator: 3001,
  ...Object.fromEntries(STAGES.map((s) => [s.service, s.port])),
};
const APPS = Object.keys(APP_PORTS);
// Services outside the seed's fourteen, allowed because they run once and exit.
const ONE_SHOT = new Set(['minio-init']);

/** Names the compose file wires itself inside the network, so .env.example only mentions them in comments. */
const WIRED_BY_COMPOSE = new Set([
  'PORT', 'HOST', 'REDIS_URL', 'AMQP_URL', 'DATABASE_URL',
  'S3_ENDPOINT', 'S3_FORCE_PATH_STYLE', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY',
  ...APPS.map((name) => `${name.toUpperCase().replaceAll('-', '_')}_URL`),
]);

function envKeys(text: string): string[] {
  return text.split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line.trim())?.[1])
    .filter((k): k is string => k !== undefined);
}
const exampleKeys = new Set(envKeys(envExample));

function environmentOf(s: Service): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.split('=')[0] ?? e, e.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? '')]));
}

function dependsOn(s: Service): Record<string, DependsOn> {
  const d = s.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, {}])) : d;
}

function networksOf(s: Service): string[] {
  const n = s.networks ?? [];
  return Array.isArray(n) ? n : Object.keys(n);
}

function publishedPort(p: string | { published?: string | number }): string {
  if (typeof p === 'object') return String(p.published ?? '');
  // "host_ip:published:target", "published:target" or "target" (random published port)
  const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
  return parts.length === 1 ? `random→${parts[0]}` : String(parts[parts.length - 2]);
}

test('the seed\'s fourteen services exist, infrastructure on the seed\'s images', () => {
  const expected = [...Object.keys(INFRA), ...APPS].sort();
  const actual = Object.keys(services).filter((n) => !ONE_SHOT.has(n)).sort();
  assert.deepEqual(actual, expected);
  assert.equal(expected.length, 14);
  for (const [name, { image }] of Object.entries(INFRA)) {
    assert.match(services[name]?.image ?? '', image, `${name} image`);
    assert.equal(services[name]?.build, undefined, `${name} is pulled, not built`);
  }
});

test('only 3000, 15672 and 9001 are published, by the gateway, RabbitMQ and MinIO', () => {
  const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name}:${publishedPort(p)}`));
  assert.deepEqual(published.sort(), ['api-gateway:3000', 'minio:9001', 'rabbitmq:15672']);
  for (const s of Object.values(services)) assert.equal(s.expose, undefined);
});

test('every service is on faceless-network, a bridge network', () => {
  assert.deepEqual(Object.keys(compose.networks ?? {}), ['faceless-network']);
  assert.equal(compose.networks?.['faceless-network']?.driver, 'bridge');
  for (const [name, s] of Object.entries(services)) assert.deepEqual(networksOf(s), ['faceless-network'], name);
});

test('the four named volumes exist and each is mounted by its server', () => {
  assert.deepEqual(Object.keys(compose.volumes ?? {}).sort(), ['minio-data', 'postgres-data', 'rabbitmq-data', 'redis-data']);
  const mounts = Object.entries(services).flatMap(([name, s]) =>
    (s.volumes ?? []).map((v) => ({ name, source: typeof v === 'string' ? v.split(':')[0] : v.source })));
  for (const [name, { volume }] of Object.entries(INFRA)) {
    assert.deepEqual(mounts.filter((m) => m.source === volume).map((m) => m.name), [name], `${volume} is mounted by ${name} only`);
  }
  // App containers keep no state of their own: artifacts go to MinIO, rows to PostgreSQL.
  for (const app of APPS) assert.equal(services[app]?.volumes, undefined, app);
});

test('every app service builds from the repo with deploy/Dockerfile and SERVICE naming a folder of services/', () => {
  const folders = new Set(readdirSync(join(ROOT, 'services')));
  for (const app of APPS) {
    const build = services[app]?.build;
    assert.ok(build, `${app} has a build`);
    assert.equal(build.context, '..', `${app} builds from the repository root`);
    assert.equal(build.dockerfile, 'deploy/Dockerfile', app);
    assert.equal(build.args?.SERVICE, app, `${app} SERVICE build argument`);
    assert.ok(folders.has(app), `services/${app}/ exists`);
    assert.ok(existsSync(join(ROOT, 'services', app, 'src', 'main.ts')), `services/${app}/src/main.ts, which the image runs, exists`);
    assert.equal(services[app]?.image, undefined, `${app} is built, not pulled`);
  }
  assert.ok(existsSync(join(ROOT, 'deploy', 'Dockerfile')));
});

test('each app listens on its seed port, and the addresses point at the seed ports', () => {
  for (const app of APPS) {
    const env = environmentOf(services[app] ?? {});
    assert.equal(env.PORT, String(APP_PORTS[app]), `${app} PORT`);
    assert.deepEqual(services[app]?.env_file, '.env', `${app} env_file`);
    for (const [key, value] of Object.entries(env).filter(([k]) => k.endsWith('_URL') && WIRED_BY_COMPOSE.has(k))) {
      const target = APPS.find((a) => `${a.toUpperCase().replaceAll('-', '_')}_URL` === key);
      if (target) assert.equal(value, `http://${target}:${APP_PORTS[target]}`, `${app} ${key}`);
    }
  }
  const orchestrator = environmentOf(services.orchestrator ?? {});
  for (const s of STAGES) assert.ok(orchestrator[`${s.service.toUpperCase().replaceAll('-', '_')}_URL`], `orchestrator knows ${s.service}`);
  const gateway = environmentOf(services['api-gateway'] ?? {});
  for (const key of ['ORCHESTRATOR_URL', 'KEYWORD_FETCHER_URL', 'SCRIPT_GENERATOR_URL', 'AMQP_URL']) assert.ok(gateway[key], `api-gateway ${key}`);
  assert.match(orchestrator.REDIS_URL ?? '', /^redis:\/\/redis:6379$/);
  assert.match(orchestrator.AMQP_URL ?? '', /^amqp:\/\/.+@rabbitmq:5672$/);
  // The publishing state (channels, quota, slots, publications) and the experiments live in one PostgreSQL.
  for (const app of ['ab-tester', 'uploader']) {
    assert.match(environmentOf(services[app] ?? {}).DATABASE_URL ?? '', /^postgres:\/\/.+@postgres:5432\/\S+$/, `${app} DATABASE_URL`);
    assert.equal(environmentOf(services[app] ?? {}).DATABASE_URL, environmentOf(services['ab-tester'] ?? {}).DATABASE_URL, `${app} shares the ab-tester's database`);
  }
  for (const app of ['tts-renderer', 'video-assembler', 'thumbnail-maker', 'uploader']) {
    const env = environmentOf(services[app] ?? {});
    assert.equal(env.S3_ENDPOINT, 'http://minio:9000', `${app} S3_ENDPOINT`);
    assert.equal(env.S3_FORCE_PATH_STYLE, 'true', `${app} S3_FORCE_PATH_STYLE`);
    assert.ok(env.S3_BUCKET && env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY, `${app} S3 bucket and keys`);
  }
});

test('replicated services have no container_name or published port', () => {
  const replicated = Object.entries(services).filter(([, s]) => (s.deploy?.replicas ?? 1) > 1).map(([n]) => n);
  assert.deepEqual(replicated.sort(), ['keyword-fetcher', 'video-assembler']);
  for (const name of replicated) {
    assert.equal(services[name]?.container_name, undefined, name);
    assert.equal(services[name]?.ports, undefined, name);
  }
});

test('start order waits for readiness: depended-on services have health checks, no cycle', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries(dependsOn(s))) {
      assert.ok(services[dep], `${name} depends on unknown ${dep}`);
      if (ONE_SHOT.has(dep)) {
        assert.equal(condition, 'service_completed_successfully', `${name} → ${dep}`);
      } else {
        assert.equal(condition, 'service_healthy', `${name} → ${dep}`);
        assert.ok(services[dep]?.healthcheck?.test, `${dep} has a healthcheck (${name} waits for it)`);
      }
    }
  }
  for (const name of Object.keys(services).filter((n) => !ONE_SHOT.has(n))) {
    assert.ok(services[name]?.healthcheck?.test, `${name} has a healthcheck`);
  }
  for (const app of APPS) assert.match(JSON.stringify(services[app]?.healthcheck?.test), /\/ready/, `${app} healthcheck calls /ready`);
  assert.match(JSON.stringify(services.redis?.healthcheck?.test), /redis-cli.*ping/);
  assert.match(JSON.stringify(services.rabbitmq?.healthcheck?.test), /rabbitmq-diagnostics.*ping/);
  assert.match(JSON.stringify(services.postgres?.healthcheck?.test), /pg_isready/);
  assert.match(JSON.stringify(services.minio?.healthcheck?.test), /mc.*ready|minio\/health/);

  // Depth-first search: a name met again while still on the path is a cycle.
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    assert.notEqual(state.get(name), 'visiting', `start-order cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(dependsOn(services[name] ?? {}))) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) visit(name, []);
  // The seed's order: the gateway waits for the orchestrator, which waits for Redis, RabbitMQ and all eight stages.
  assert.ok(dependsOn(services['api-gateway'] ?? {}).orchestrator);
  for (const dep of ['redis', 'rabbitmq', ...STAGES.map((s) => s.service)]) assert.ok(dependsOn(services.orchestrator ?? {})[dep], `orchestrator → ${dep}`);
  assert.ok(dependsOn(services['ab-tester'] ?? {}).postgres);
});

test('every variable the compose file reads or sets is documented in .env.example', () => {
  const referenced = [...composeText.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? '');
  assert.ok(referenced.length > 5, 'the compose file takes its secrets from .env');
  for (const name of new Set(referenced)) assert.ok(exampleKeys.has(name), `\${${name}} is not in deploy/.env.example`);
  for (const app of APPS) {
    for (const key of Object.keys(environmentOf(services[app] ?? {}))) {
      assert.ok(exampleKeys.has(key) || WIRED_BY_COMPOSE.has(key), `${app} sets ${key}, which deploy/.env.example does not list`);
    }
  }
});

function sourceText(dir: string): string {
  return readdirSync(join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.includes('node_modules') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(ROOT, dir, f), 'utf8'))
    .join('\n');
}
const mentions = (text: string, name: string): boolean => new RegExp(`\\b${name}\\b`).test(text);

test('every .env.example variable is read by the compose file or by some source file', () => {
  // The monitoring overlay reads its own (GRAFANA_ADMIN_PASSWORD) from the same deploy/.env.
  const overlayText = read('deploy/observability/docker-compose.observability.yml');
  const corpus = [composeText, overlayText, ...['packages', 'services', 'apps'].map(sourceText)].join('\n');
  for (const key of exampleKeys) assert.ok(mentions(corpus, key), `${key} in deploy/.env.example is read nowhere (typo?)`);
});

test('every variable the compose file sets on an app is read by that service or the shared packages', () => {
  const shared = sourceText('packages');
  for (const app of APPS) {
    const own = sourceText(join('services', app, 'src'));
    for (const key of Object.keys(environmentOf(services[app] ?? {}))) {
      // <SERVICE>_URL names may be derived from the service name (serviceUrlEnvName) rather than spelled out.
      const derived = key.endsWith('_URL') && /serviceUrlEnvName|toUpperCase\(\)/.test(own) && WIRED_BY_COMPOSE.has(key);
      assert.ok(mentions(own, key) || mentions(shared, key) || derived, `${app} is given ${key}, which neither services/${app}/src nor packages/ read`);
    }
  }
});

test('.env.example holds placeholders, not secrets, and a comment for each variable', () => {
  const lines = envExample.split('\n');
  lines.forEach((line, i) => {
    assert.doesNotMatch(line, /sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|[0-9a-f]{32,}/, `line ${i + 1} looks like a real key`);
    if (/^[A-Z][A-Z0-9_]*=/.test(line)) assert.match(lines[i - 1] ?? '', /^#/, `line ${i + 1} (${line.split('=')[0]}) has no comment above it`);
  });
  for (const key of [...exampleKeys].filter((k) => /PASSWORD|PASS$|API_KEYS$/.test(k))) {
    assert.match(envExample, new RegExp(`^${key}=(change-me|\\w+:replace-with)`, 'm'), `${key} is a visible placeholder`);
  }
});

test('the Dockerfile is multi-stage, installs ffmpeg and runs services/${SERVICE}/src/main.ts', () => {
  const froms = dockerfile.split('\n').filter((l) => /^FROM\s/i.test(l));
  assert.ok(froms.length >= 2, `multi-stage: ${froms.length} FROM lines`);
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  assert.match(dockerfile, /apt-get install[^\n]*\bffmpeg\b/);
  assert.match(dockerfile, /apt-get install[^\n]*\bespeak-ng\b/);
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /^ARG SERVICE$/m);
  assert.match(dockerfile, /^USER (?!root)\S+/m, 'runs as a non-root user');
  const cmd = dockerfile.split('\n').filter((l) => /^(CMD|ENTRYPOINT)\s/.test(l)).join('\n');
  assert.match(cmd, /node --import tsx services\/\$\{?SERVICE\}?\/src\/main\.ts/);
  // tsx must survive --omit=dev, or the CMD above cannot start.
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
  assert.ok(lock.packages['node_modules/tsx'] && lock.packages['node_modules/tsx'].dev !== true, 'tsx is a production dependency');
});

test('the Dockerfile builds the dashboard in a stage of its own and copies only its dist into the image the gateway runs', () => {
  const lines = dockerfile.split('\n');
  const stages = lines.map((l) => /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(l)?.[1]).filter((n): n is string => n !== undefined);
  assert.ok(stages.includes('web'), `a stage named web: ${stages.join(', ')}`);
  const webStage = dockerfile.slice(dockerfile.search(/^FROM\s+\S+\s+AS\s+web$/m)).split(/^FROM\s/m)[1] ?? '';
  // Vite is a dev dependency: the web stage installs them, unlike the deps stage.
  assert.match(webStage, /npm ci(?![^\n]*--omit=dev)/, 'the web stage installs dev dependencies');
  assert.match(webStage, /npm run build -w apps\/web/);
  // The dashboard is copied after the sources (which .dockerignore does not strip of a local dist/) and before
  // ARG SERVICE, so all ten images share the layer and the gateway finds it at its default web root.
  const copy = lines.findIndex((l) => /^COPY --from=web \/src\/apps\/web\/dist\/? \.?\/?apps\/web\/dist\/?$/.test(l));
  assert.ok(copy >= 0, 'COPY --from=web …/apps/web/dist into apps/web/dist');
  const runtime = lines.findIndex((l) => /^FROM\s+\S+\s+AS\s+runtime$/i.test(l));
  assert.ok(runtime >= 0 && copy > runtime, 'copied into the runtime stage');
  assert.ok(copy > lines.findIndex((l, i) => i > runtime && /^COPY \. \.$/.test(l)), 'after the sources');
  assert.ok(copy < lines.findIndex((l) => /^ARG SERVICE$/.test(l)), 'before ARG SERVICE');
  // `npm ci` runs the root's prepare script: the manifests stage must carry it, or both installs fail.
  const prepare = (JSON.parse(read('package.json')) as { scripts?: { prepare?: string } }).scripts?.prepare ?? '';
  const script = /^node (\S+)$/.exec(prepare)?.[1];
  assert.ok(script, `the root prepare script runs one file: ${prepare}`);
  assert.ok(dockerfile.includes(`cp --parents ${script} /manifests/`), `the manifests stage copies ${script}`);
});

test('.dockerignore keeps build output, dependencies and secrets out of the image', () => {
  const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
  for (const entry of ['**/node_modules', 'faceless-out', '.git', 'bench/out', '**/*.log', '.env', '**/.env']) {
    assert.ok(ignored.includes(entry), `.dockerignore lists ${entry}`);
  }
});
