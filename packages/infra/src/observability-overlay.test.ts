// Checks deploy/observability/ (the monitoring overlay) without a Docker engine: the overlay against the main
// compose file, Prometheus's targets against the services' ports, and every metric the dashboards and alert
// rules query against the metrics the code registers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { OPERATOR_METRICS, createAllOperatorMetrics, createMetrics } from '@faceless/runtime';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OBS = 'deploy/observability';
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  ports?: (string | { published?: string | number })[];
  networks?: string[] | Record<string, unknown>;
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition?: string }>;
  command?: string[];
}
interface Compose { services: Record<string, Service>; networks?: Record<string, unknown>; volumes?: Record<string, unknown> }

const mainText = read('deploy/docker-compose.microservices.yml');
const overlayText = read(`${OBS}/docker-compose.observability.yml`);
const main = parse(mainText, { merge: true }) as Compose;
const overlay = parse(overlayText, { merge: true }) as Compose;
const merged = new Set([...Object.keys(main.services), ...Object.keys(overlay.services)]);

/** The faceless services (built from the repo) and the port each listens on, as the main file sets them. */
const APP_PORTS = new Map(Object.entries(main.services)
  .filter(([, s]) => s.build !== undefined)
  .map(([name, s]) => [name, Number(s.environment?.PORT)]));
/** The overlay's own services: the monitoring stack. */
const STACK = Object.keys(overlay.services).filter((n) => !main.services[n]);

const env = (s: Service | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(s?.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
const networks = (s: Service): string[] => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

/** Host side and container side of each volume entry ("src:dst[:ro]" or the long form). */
function mounts(s: Service): { source: string; target: string }[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') return { source: v.source ?? '', target: v.target ?? '' };
    const [source = '', target = ''] = v.split(':');
    return { source, target };
  });
}
/** Compose resolves an overlay's relative paths against the first file's folder, deploy/. */
const hostPath = (source: string): string => join(ROOT, 'deploy', source);
/** The repository file a container path of `service` maps to through its bind mounts. */
function fileInContainer(service: string, containerPath: string): string | undefined {
  for (const { source, target } of mounts(overlay.services[service] ?? {})) {
    if (!source.startsWith('.')) continue;
    if (containerPath === target) return hostPath(source);
    if (containerPath.startsWith(`${target}/`)) return join(hostPath(source), containerPath.slice(target.length + 1));
  }
  return undefined;
}

test('the overlay only adds to the main file: a trace name per faceless service, the stack on faceless-network', () => {
  assert.equal(APP_PORTS.size, 10, `ten faceless services in the main file: ${[...APP_PORTS.keys()].join(', ')}`);
  for (const [name, s] of Object.entries(overlay.services)) {
    if (!main.services[name]) continue;
    assert.ok(APP_PORTS.has(name), `the overlay changes ${name}, which is not a faceless service`);
    assert.deepEqual(Object.keys(s).sort(), ['environment'], `${name}: the overlay only sets variables on the services`);
  }
  for (const app of APP_PORTS.keys()) {
    const e = env(overlay.services[app]);
    assert.equal(e.OTEL_SERVICE_NAME, app, `${app} OTEL_SERVICE_NAME`);
    assert.equal(e.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', `${app} OTEL_EXPORTER_OTLP_ENDPOINT`);
  }
  assert.deepEqual(STACK.sort(), ['alloy', 'grafana', 'jaeger', 'loki', 'prometheus']);
  assert.equal(overlay.networks, undefined, 'no network besides the main file\'s');
  for (const name of STACK) {
    const s = overlay.services[name] ?? {};
    assert.deepEqual(networks(s), ['faceless-network'], name);
    for (const dep of Object.keys(s.depends_on ?? {})) assert.ok(merged.has(dep), `${name} depends on unknown ${dep}`);
  }
});

test('every image of the overlay is pinned to a version', () => {
  for (const name of STACK) {
    const image = overlay.services[name]?.image ?? '';
    const tag = /^[\w./-]+:([\w.-]+)$/.exec(image)?.[1];
    assert.ok(tag && tag !== 'latest' && /\d+\.\d+/.test(tag), `${name} image "${image}" names a version`);
  }
});

test('only Grafana is published, on a port the main file leaves free', () => {
  const published = (s: Service): string[] => (s.ports ?? []).map((p) => (typeof p === 'string' ? p.split(':').at(-2) ?? `random:${p}` : String(p.published)));
  const mainPorts = Object.values(main.services).flatMap(published);
  const overlayPorts = Object.entries(overlay.services).flatMap(([n, s]) => published(s).map((p) => `${n}:${p}`));
  assert.deepEqual(overlayPorts, ['grafana:3300']);
  assert.ok(!mainPorts.includes('3300'));
});

test('volumes are declared, config mounts exist in the repository, the Docker socket is read-only', () => {
  const declared = new Set(Object.keys(overlay.volumes ?? {}));
  for (const name of STACK) {
    for (const v of overlay.services[name]?.volumes ?? []) {
      const text = typeof v === 'string' ? v : `${v.source}:${v.target}`;
      const [source = ''] = text.split(':');
      if (source.startsWith('.')) assert.ok(existsSync(hostPath(source)), `${name} mounts ${source}, missing from deploy/`);
      else if (source.startsWith('/')) assert.equal(text, '/var/run/docker.sock:/var/run/docker.sock:ro', `${name}: the only host path is the Docker socket, read-only`);
      else assert.ok(declared.has(source), `${name} mounts volume ${source}, not declared in the overlay`);
    }
  }
  assert.ok(mounts(overlay.services.alloy ?? {}).some((m) => m.source === '/var/run/docker.sock'), 'Alloy reads the containers through the Docker socket');
});

test('every variable the overlay reads is documented in deploy/.env.example', () => {
  const example = read('deploy/.env.example');
  const referenced = [...overlayText.matchAll(/(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] ?? '');
  assert.ok(referenced.includes('GRAFANA_ADMIN_PASSWORD'));
  for (const name of referenced) assert.match(example, new RegExp(`^${name}=`, 'm'), `\${${name}} is not in deploy/.env.example`);
});

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
}
const promConfigPath = `${OBS}/prometheus/prometheus.yml`;
const prom = parse(read(promConfigPath)) as { scrape_configs: ScrapeConfig[]; rule_files?: string[] };

test('Prometheus scrapes /metrics of every faceless service at its real port, every replica', () => {
  const args = overlay.services.prometheus?.command ?? [];
  const configArg = args.find((a) => a.startsWith('--config.file='))?.split('=')[1] ?? '';
  assert.equal(fileInContainer('prometheus', configArg), join(ROOT, promConfigPath), 'the config file Prometheus reads is this one');
  for (const [app, port] of APP_PORTS) {
    const jobs = prom.scrape_configs.filter((c) => (c.metrics_path ?? '/metrics') === '/metrics');
    // DNS discovery, because a replicated service's name resolves to every replica.
    const byDns = jobs.some((c) => c.dns_sd_configs?.some((d) => d.names.includes(app) && d.type === 'A' && d.port === port));
    const byStatic = jobs.some((c) => c.static_configs?.some((s) => s.targets.includes(`${app}:${port}`)));
    assert.ok(byDns, `${app} is scraped by DNS discovery on port ${port}${byStatic ? ' (a static target would reach one replica only)' : ''}`);
  }
  for (const file of prom.rule_files ?? []) assert.ok(existsSync(fileInContainer('prometheus', file) ?? ''), `rule file ${file} is mounted`);
  assert.equal(new Set(prom.scrape_configs.map((c) => c.job_name)).size, prom.scrape_configs.length, 'job names are unique');
});

// --- dashboards ---------------------------------------------------------------

interface Target { expr?: string; datasource?: { uid?: string } }
interface Panel { id: number; type: string; title: string; datasource?: { uid?: string }; targets?: Target[]; panels?: Panel[] }
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: { name: string; type: string; datasource?: { uid?: string }; query?: string | { query?: string } }[] };
}
const provisioning = `${OBS}/grafana/provisioning`;
const datasources = (parse(read(`${provisioning}/datasources/datasources.yml`)) as {
  datasources: { uid: string; type: string; url: string; jsonData?: Record<string, unknown> }[];
}).datasources;
const dsByUid = new Map(datasources.map((d) => [d.uid, d]));
const dashboardDir = `${OBS}/grafana/dashboards`;
const dashboardFiles = readdirSync(join(ROOT, dashboardDir)).filter((f) => f.endsWith('.json')).sort();
const dashboards = dashboardFiles.map((f) => ({ file: f, json: JSON.parse(read(`${dashboardDir}/${f}`)) as Dashboard }));
const allPanels = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);

/** [expression, where] of every query sent to a data source of `type`, panels and template variables. */
function queries(type: 'prometheus' | 'loki'): [string, string][] {
  const out: [string, string][] = [];
  for (const { file, json } of dashboards) {
    for (const p of allPanels(json.panels)) {
      for (const t of p.targets ?? []) {
        const uid = t.datasource?.uid ?? p.datasource?.uid ?? '';
        if (dsByUid.get(uid)?.type === type && t.expr) out.push([t.expr, `${file} "${p.title}"`]);
      }
    }
    for (const v of json.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : v.query?.query;
      if (v.type === 'query' && q && dsByUid.get(v.datasource?.uid ?? '')?.type === type) out.push([q, `${file} variable $${v.name}`]);
    }
  }
  return out;
}

test('data sources: Prometheus, Loki and Jaeger at their compose addresses, trace ids linked both ways', () => {
  assert.deepEqual(datasources.map((d) => `${d.type}:${d.url}`).sort(), ['jaeger:http://jaeger:16686', 'loki:http://loki:3100', 'prometheus:http://prometheus:9090']);
  const loki = datasources.find((d) => d.type === 'loki');
  const derived = (loki?.jsonData?.derivedFields ?? []) as { datasourceUid?: string; matcherRegex?: string; url?: string }[];
  assert.ok(derived.some((f) => dsByUid.get(f.datasourceUid ?? '')?.type === 'jaeger' && f.matcherRegex === 'trace_id'), 'a log line\'s trace_id opens its trace');
  // `$$` survives Grafana's variable expansion as a single `$`.
  for (const f of derived) assert.ok(!/(?<!\$)\$\{/.test(f.url ?? ''), `derived field url ${f.url} escapes its $`);
  const jaeger = datasources.find((d) => d.type === 'jaeger');
  const toLogs = jaeger?.jsonData?.tracesToLogsV2 as { datasourceUid?: string; query?: string } | undefined;
  assert.equal(dsByUid.get(toLogs?.datasourceUid ?? '')?.type, 'loki', 'a span links to its logs');
  assert.match(toLogs?.query ?? '', /trace_id="\$\$\{__span\.traceId\}"/);
});

test('Grafana loads the dashboards from where the overlay mounts them', () => {
  const providers = (parse(read(`${provisioning}/dashboards/dashboards.yml`)) as { providers: { options: { path: string } }[] }).providers;
  for (const p of providers) assert.equal(fileInContainer('grafana', p.options.path), join(ROOT, dashboardDir));
  assert.equal(fileInContainer('grafana', '/etc/grafana/provisioning'), join(ROOT, provisioning));
  const home = env(overlay.services.grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
  assert.ok(existsSync(fileInContainer('grafana', home) ?? ''), `home dashboard ${home} exists`);
});

test('dashboards: pipelines, services, YouTube and A/B; unique uids and panel ids; data sources that exist', () => {
  assert.deepEqual(dashboardFiles, ['abtests.json', 'pipelines.json', 'services.json', 'youtube.json']);
  assert.equal(new Set(dashboards.map((d) => d.json.uid)).size, dashboards.length, 'dashboard uids are unique');
  for (const { file, json } of dashboards) {
    const panels = allPanels(json.panels);
    const ids = panels.map((p) => p.id);
    assert.ok(ids.every((id) => Number.isInteger(id)), `${file}: every panel has an id`);
    assert.equal(new Set(ids).size, ids.length, `${file}: panel ids are unique`);
    assert.ok(panels.filter((p) => p.type !== 'row').length >= 6, `${file} has panels`);
    for (const p of panels.filter((x) => x.type !== 'row')) {
      assert.ok((p.targets ?? []).length > 0, `${file} "${p.title}" queries something`);
      for (const uid of [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)]) {
        assert.ok(uid && dsByUid.has(uid), `${file} "${p.title}": data source "${uid}" is provisioned`);
      }
    }
    for (const v of json.templating?.list ?? []) {
      if (v.datasource) assert.ok(dsByUid.has(v.datasource.uid ?? ''), `${file} $${v.name}: data source is provisioned`);
    }
  }
});

// --- metric names -------------------------------------------------------------

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'and', 'or', 'unless', 'inf', 'nan']);
/** Series Prometheus makes itself for each target. */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The metric names a PromQL expression (or a Grafana label_values() query) selects. */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/label_values\(\s*([A-Za-z_:][\w:]*)\s*(\{[^}]*\})?\s*,\s*\w+\s*\)/g, ' $1 ')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  return [...s.matchAll(/(?<![\w.])[A-Za-z_:][\w:]*/g)]
    .filter((m) => !/^\s*\(/.test(s.slice(m.index + m[0].length)))
    .map((m) => m[0])
    .filter((n) => !PROMQL_WORDS.has(n.toLowerCase()));
}

/** Every series name the services' registries can export: runtime metrics, prom-client defaults, the operator catalog. */
async function registeredNames(): Promise<Set<string>> {
  const { registry } = createMetrics();
  createAllOperatorMetrics(registry);
  const json = await registry.getMetricsAsJSON();
  const names = new Set(SYNTHETIC);
  for (const m of json) {
    const type = String(m.type);
    names.add(m.name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${m.name}${suffix}`);
  }
  return names;
}

const alertRules = (parse(read(`${OBS}/prometheus/alerts.yml`)) as { groups: { rules: { alert: string; expr: string }[] }[] })
  .groups.flatMap((g) => g.rules);

test('the PromQL name extraction finds metrics and nothing else', () => {
  assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le, stage) (rate(stage_duration_seconds_bucket{stage=~"$stage", outcome="ok"}[$__rate_interval])))'), ['stage_duration_seconds_bucket']);
  assert.deepEqual(metricNames('max(a_total) - max(a_total offset $__range) / clamp_min(b, 1e-9) > 0.25 and on (x) c'), ['a_total', 'a_total', 'b', 'c']);
  assert.deepEqual(metricNames('label_values(http_requests_total, service)'), ['http_requests_total']);
});

test('every metric the dashboards and alert rules query is one the code registers', async () => {
  const known = await registeredNames();
  const used: [string, string][] = [
    ...queries('prometheus'),
    ...alertRules.map((r): [string, string] => [r.expr, `alert ${r.alert}`]),
  ];
  assert.ok(used.length > 40, `${used.length} queries found`);
  const seen = new Set<string>();
  for (const [expr, where] of used) {
    const names = metricNames(expr);
    assert.ok(names.length > 0, `${where}: no metric found in ${expr}`);
    for (const name of names) {
      seen.add(name.replace(/_(bucket|sum|count)$/, ''));
      assert.ok(known.has(name), `${where} queries ${name}, which no registry defines`);
    }
  }
  // Each operator metric is on some dashboard or alert, or it is noise nobody looks at.
  for (const spec of Object.values(OPERATOR_METRICS)) assert.ok(seen.has(spec.name), `${spec.name} is shown nowhere`);
});

test('the catalog says truly which operator metrics are recorded, and where', () => {
  const sources = ['services', 'packages'].flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true })
    .map((f) => join(dir, String(f)))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('node_modules') && !f.endsWith('operator-metrics.ts')));
  const created = new Map<string, string>();
  for (const file of sources) {
    const text = read(file);
    for (const call of text.matchAll(/createOperatorMetrics\([^[]*\[([^\]]*)\]/g)) {
      for (const key of (call[1] ?? '').matchAll(/'(\w+)'/g)) created.set(key[1] ?? '', file);
    }
  }
  for (const [key, spec] of Object.entries(OPERATOR_METRICS)) {
    const file = created.get(key);
    if (spec.wired) {
      assert.equal(file, spec.recordedBy, `${key} is marked wired: ${spec.recordedBy} should create it`);
      // the pipeline core's metrics are served by the orchestrator app it builds (in the orchestrator and in faceless serve)
      const home = spec.service === 'orchestrator' && file.startsWith('packages/pipeline/') ? 'packages/pipeline/' : `services/${spec.service}/`;
      assert.ok(file.startsWith(home), `${key} is exported by ${spec.service}`);
    } else {
      assert.equal(file, undefined, `${file} creates ${key}: mark it wired in OPERATOR_METRICS (recordedBy: '${file}') and move it in docs/observability.md`);
    }
  }
});

test('alert rules cover failure rate, queue age, quota and outbox backlog', () => {
  const names = alertRules.map((r) => r.alert);
  for (const a of ['FacelessPipelineFailureRate', 'FacelessQueueAging', 'FacelessYouTubeQuotaNearLimit', 'FacelessEventOutboxBacklog']) assert.ok(names.includes(a), a);
  assert.equal(new Set(names).size, names.length);
  // A service with no container has no DNS answer, so no target and no up series: only absent() sees it.
  const down = alertRules.find((r) => r.alert === 'FacelessServiceDown')?.expr ?? '';
  for (const app of APP_PORTS.keys()) assert.ok(down.includes(`absent(up{job="${app}"})`), `FacelessServiceDown notices ${app} gone`);
});

test('log queries select only labels Alloy sets; the rest is structured metadata', () => {
  const alloy = read(`${OBS}/alloy/config.alloy`);
  const labels = new Set([
    ...[...alloy.matchAll(/target_label\s*=\s*"(\w+)"/g)].map((m) => m[1] ?? ''),
    ...[...alloy.matchAll(/labels\s*=\s*\{\s*"?(\w+)"?\s*=/g)].map((m) => m[1] ?? ''),
  ]);
  const stageLabels = /stage\.labels\s*\{\s*values\s*=\s*\{([^}]*)\}/.exec(alloy)?.[1] ?? '';
  for (const m of stageLabels.matchAll(/(\w+)\s*=/g)) labels.add(m[1] ?? '');
  assert.deepEqual([...labels].sort(), ['compose_project', 'container', 'level', 'service', 'stream']);
  const metadata = /stage\.structured_metadata\s*\{\s*values\s*=\s*\{([^}]*)\}/.exec(alloy)?.[1] ?? '';
  for (const field of ['pipelineId', 'trace_id', 'span_id', 'requestId']) assert.match(metadata, new RegExp(`\\b${field}\\b`), `${field} is structured metadata`);
  const logQueries = queries('loki');
  assert.ok(logQueries.length >= 3);
  for (const [expr, where] of logQueries) {
    const selector = /^\{([^}]*)\}/.exec(expr.trim())?.[1];
    assert.ok(selector, `${where}: ${expr} starts with a stream selector`);
    for (const m of selector.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) assert.ok(labels.has(m[1] ?? ''), `${where} selects on ${m[1]}, which Alloy does not set`);
  }
});

test('docs/observability.md explains every metric and every dashboard', async () => {
  const doc = read('docs/observability.md');
  const base = [...await createMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()].map((m) => m.name);
  for (const name of [...base, ...Object.values(OPERATOR_METRICS).map((s) => s.name)]) assert.match(doc, new RegExp(`\`${name}\``), `${name} is documented`);
  for (const { json } of dashboards) assert.ok(doc.includes(json.title), `dashboard "${json.title}" is described`);
  for (const a of alertRules) assert.ok(doc.includes(a.alert), `alert ${a.alert} is described`);
});

test('promtool accepts the Prometheus config and rules, when it is installed', (t) => {
  if (spawnSync('promtool', ['--version']).error) {
    t.skip('promtool is not installed');
    return;
  }
  const rules = spawnSync('promtool', ['check', 'rules', join(ROOT, OBS, 'prometheus', 'alerts.yml')], { encoding: 'utf8' });
  assert.equal(rules.status, 0, rules.stdout + rules.stderr);
});
