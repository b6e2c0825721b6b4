import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KEN_BURNS_ZOOM, kenBurnsCanvas, kenBurnsMove, kenBurnsZoompan } from './motion.ts';
import { TRANSITIONS, transitionFrames, transitionKind } from './transitions.ts';
import { outputSize } from './video-format.ts';

/** Evaluates a zoompan expression the way ffmpeg would, for the few functions it uses. */
function evaluate(expr: string, vars: Record<string, number>): number {
  const js = expr.replace(/\b(cos|clip|PI)\b/g, (m) => `M.${m}`).replace(/\b(on|iw|ih|zoom)\b/g, (m) => `V.${m}`);
  const M = { cos: Math.cos, PI: Math.PI, clip: (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v)) };
  return (new Function('M', 'V', `return ${js};`) as (m: typeof M, v: Record<string, number>) => number)(M, vars);
}

function option(filter: string, name: string): string {
  const m = new RegExp(`[=:]${name}='([^']+)'`).exec(filter);
  assert.ok(m?.[1], `${name} in ${filter}`);
  return m[1];
}

test('the Ken Burns canvas is twice the output size', () => {
  assert.deepEqual(kenBurnsCanvas(outputSize('9:16')), { width: 2160, height: 3840 });
  assert.deepEqual(kenBurnsCanvas(outputSize('1:1')), { width: 2160, height: 2160 });
});

test('a Ken Burns move eases from rest to rest, stays inside the picture and continues across chunks', () => {
  const size = outputSize('16:9');
  const canvas = kenBurnsCanvas(size);
  for (let variant = 0; variant < 4; variant++) {
    const whole = kenBurnsZoompan({ size, fps: 30, variant, offsetFrames: 0, motionFrames: 300, frames: 300 });
    assert.match(whole, /:d=300:s=1920x1080:fps=30$/);
    const at = (filter: string, on: number): { zoom: number; x: number; y: number } => {
      const zoom = evaluate(option(filter, 'z'), { on });
      const vars = { on, zoom, iw: canvas.width, ih: canvas.height };
      return { zoom, x: evaluate(option(filter, 'x'), vars), y: evaluate(option(filter, 'y'), vars) };
    };
    const frames = Array.from({ length: 301 }, (_, on) => at(whole, on));
    const zooms = frames.map((p) => p.zoom);
    assert.ok(Math.abs(Math.max(...zooms) - KEN_BURNS_ZOOM) < 1e-9 && Math.abs(Math.min(...zooms) - 1) < 1e-9, 'zooms between 1 and the tight end');
    assert.equal(kenBurnsMove(variant).zoomIn, (zooms[300] ?? 0) > (zooms[0] ?? 0));
    for (const p of frames) {
      assert.ok(p.x >= -1e-6 && p.x + canvas.width / p.zoom <= canvas.width + 1e-6, `x ${p.x} inside`);
      assert.ok(p.y >= -1e-6 && p.y + canvas.height / p.zoom <= canvas.height + 1e-6, `y ${p.y} inside`);
    }
    // Eased: the first and last steps are far smaller than the middle ones.
    const step = (a: number): number => Math.abs((zooms[a + 1] ?? 0) - (zooms[a] ?? 0));
    assert.ok(step(0) < step(150) / 100 && step(299) < step(150) / 100);
    // A second chunk that starts 120 frames in shows exactly what the whole move shows there.
    const second = kenBurnsZoompan({ size, fps: 30, variant, offsetFrames: 120, motionFrames: 300, frames: 180 });
    assert.deepEqual(at(second, 0), frames[120]);
  }
  assert.notDeepEqual(kenBurnsMove(0), kenBurnsMove(1));
});

test('transitions are short, and consecutive sections get different ones', () => {
  assert.equal(transitionFrames(30), 12);
  assert.ok(transitionFrames(30) / 30 >= 0.3 && transitionFrames(30) / 30 <= 0.5);
  for (let s = 1; s < 8; s++) assert.notEqual(transitionKind(s), transitionKind(s + 1));
  assert.equal(transitionKind(1), TRANSITIONS[0]);
});
