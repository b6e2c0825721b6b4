// Finds import cycles between the workspace packages (packages/*, services/*, apps/*): which
// @faceless/* package each one's source imports, then a depth-first search for a cycle.
// Test files are left out (a test may import a package that imports its own: nothing ships that).
// Usage: node scripts/check-package-cycles.mjs  (exit 1 and the cycle when there is one)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const IMPORT = /(?:from|import)\s*\(?\s*['"](@faceless\/[\w-]+)/g;

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (/\.(ts|tsx|mjs|js)$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(path);
  }
  return out;
}

/** package name → the @faceless/* packages its non-test source imports, with one file that does. */
export function packageGraph() {
  const graph = new Map();
  for (const group of ['packages', 'services', 'apps']) {
    for (const dir of readdirSync(join(root, group))) {
      let manifest;
      try {
        manifest = JSON.parse(readFileSync(join(root, group, dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      const edges = new Map();
      for (const file of sources(join(root, group, dir, 'src'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
          if (m[1] !== manifest.name && !edges.has(m[1])) edges.set(m[1], relative(root, file));
        }
      }
      graph.set(manifest.name, edges);
    }
  }
  return graph;
}

/** The first cycle found, as a list of package names ending where it starts, or undefined. */
export function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const visit = (name) => {
    state.set(name, 'open');
    stack.push(name);
    for (const next of graph.get(name)?.keys() ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of graph.keys()) {
    if (!state.has(name)) {
      const found = visit(name);
      if (found) return found;
    }
  }
  return undefined;
}

const graph = packageGraph();
// FACELESS_CYCLE_PROBE adds one edge (from>to) so a test can check that a cycle is reported.
const probe = process.env.FACELESS_CYCLE_PROBE?.split('>');
if (probe?.length === 2) graph.get(probe[0])?.set(probe[1], '(probe)');
const cycle = findCycle(graph);
if (cycle) {
  const steps = cycle.slice(0, -1).map((name, i) => `  ${name} → ${cycle[i + 1]} (${graph.get(name).get(cycle[i + 1])})`);
  process.stderr.write(`import cycle between packages:\n${steps.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`no import cycle between ${graph.size} packages\n`);
