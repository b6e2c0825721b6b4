import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imagePan, PAN_MAX_TRAVEL, panDirection } from './motion.ts';
import { TRANSITIONS, transitionFrames, transitionKind } from './transitions.ts';
import { outputSize } from './video-format.ts';

/** Evaluates a crop position expression the way ffmpeg would, for the few functions it uses. */
function evaluate(expr: string, n: number): number {
  const js = expr.replace(/^'|'$/g, '').replace(/\b(min|floor)\b/g, (m) => `Math.${m}`).replace(/\bn\b/g, String(n));
  return (new Function(`return ${js};`) as () => number)();
}

function position(crop: string, n: number): { x: number; y: number } {
  const m = /:x=('[^']+'|\d+):y=('[^']+'|\d+):exact=1$/.exec(crop);
  assert.ok(m?.[1] && m[2], crop);
  return { x: evaluate(m[1], n), y: evaluate(m[2], n) };
}

test('an image pans by whole pixels, one a frame, inside its canvas, and continues across chunks', () => {
  const size = outputSize('9:16');
  for (let variant = 0; variant < 4; variant++) {
    const pan = imagePan({ size, variant, offsetFrames: 0, motionFrames: 300 });
    assert.equal(pan.travel, 300);
    const across = panDirection(variant) === 'right' || panDirection(variant) === 'left';
    assert.deepEqual(pan.canvas, across ? { width: 1380, height: 1920 } : { width: 1080, height: 2220 });
    const frames = Array.from({ length: 320 }, (_, n) => position(pan.crop, n));
    for (const [n, p] of frames.entries()) {
      assert.ok(Number.isInteger(p.x) && Number.isInteger(p.y), `whole pixels at ${n}`);
      assert.ok(p.x >= 0 && p.x + size.width <= pan.canvas.width && p.y >= 0 && p.y + size.height <= pan.canvas.height, `inside at ${n}`);
      const next = frames[n + 1];
      if (next && n < 300) assert.equal(Math.abs(next.x - p.x) + Math.abs(next.y - p.y), 1, `one pixel a frame at ${n}`);
    }
    // A second chunk that starts 120 frames in shows exactly what the whole move shows there.
    const second = imagePan({ size, variant, offsetFrames: 120, motionFrames: 300 });
    assert.deepEqual(position(second.crop, 0), frames[120]);
  }
  assert.notEqual(panDirection(0), panDirection(1));
});

test('a long section pans more slowly, never further than its share of the frame', () => {
  const size = outputSize('16:9');
  const pan = imagePan({ size, variant: 0, offsetFrames: 0, motionFrames: 1800 });
  assert.ok(pan.travel <= size.width * PAN_MAX_TRAVEL && pan.travel > 0);
  const steps = Array.from({ length: 1800 }, (_, n) => position(pan.crop, n + 1).x - position(pan.crop, n).x);
  assert.ok(steps.every((s) => s === 0 || s === 1), 'steps of at most one pixel');
});

test('transitions are short, and consecutive sections get different ones, none through black', () => {
  assert.equal(transitionFrames(30), 12);
  assert.ok(transitionFrames(30) / 30 >= 0.3 && transitionFrames(30) / 30 <= 0.5);
  for (let s = 1; s < 8; s++) assert.notEqual(transitionKind(s), transitionKind(s + 1));
  assert.equal(transitionKind(1), TRANSITIONS[0]);
  assert.ok(!(TRANSITIONS as readonly string[]).some((k) => k.includes('black')));
});
