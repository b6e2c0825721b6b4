import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageMotionKind, imagePan, imageZoom, PAN_MAX_TRAVEL, panDirection, ZOOM_MAX, ZOOM_MIN_HOLD_FRAMES } from './motion.ts';
import { TRANSITIONS, transitionFrames, transitionKind } from './transitions.ts';
import { outputSize } from './video-format.ts';

/** Evaluates a crop position expression the way ffmpeg would, for the few functions it uses. */
function evaluate(expr: string, n: number): number {
  const js = expr.replace(/^'|'$/g, '').replace(/\b(min|max|floor|ceil|round)\b/g, (m) => `Math.${m}`).replace(/\b[nN]\b/g, String(n));
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

/**
 * What a zoom chain shows at each chunk-local frame, as ffmpeg runs it: step frame N is stamped with
 * the frame it starts at (setpts), scaled to w×h, cropped at x,y; `fps` repeats it until the next one.
 */
function zoomFrames(chain: string, frames: number): { w: number; h: number; x: number; y: number }[] {
  const m = /^setpts='(.+)',scale=w='(.+)':h='(.+)':eval=frame:flags=bicubic,crop=\d+:\d+:x='(.+)':y='(.+)':exact=1,setsar=1,fps=30$/.exec(chain);
  assert.ok(m, chain);
  const [, pts, w, h, x, y] = m as unknown as [string, string, string, string, string, string];
  const shown: { w: number; h: number; x: number; y: number }[] = [];
  let step = 0;
  for (let n = 0; n < frames; n++) {
    while (evaluate(pts, step + 1) <= n) step++;
    shown.push({ w: evaluate(w, step), h: evaluate(h, step), x: evaluate(x, step), y: evaluate(y, step) });
  }
  return shown;
}

test('an image zooms in whole-pixel steps held for several frames, about the centre, and continues across chunks', () => {
  const size = outputSize('9:16');
  for (const out of [false, true]) {
    const zoom = imageZoom({ size, fps: 30, variant: 0, offsetFrames: 0, motionFrames: 312, out });
    assert.equal(zoom.steps, Math.floor((size.width * ZOOM_MAX) / 2));
    assert.deepEqual(zoom.canvas, { width: 1188, height: 2112 });
    const frames = zoomFrames(zoom.chain, 330);
    for (const [n, f] of frames.entries()) {
      assert.ok(f.w >= size.width && f.w <= zoom.canvas.width && f.h % 2 === 0 && f.h >= size.height, `size at ${n}`);
      assert.equal(f.x, (f.w - size.width) / 2, `centred across at ${n}`);
      assert.equal(f.y, (f.h - size.height) / 2, `centred down at ${n}`);
      assert.ok(Math.abs(f.h / f.w - size.height / size.width) < 2 / size.height, `aspect kept at ${n}`);
    }
    const widths = frames.map((f) => f.w);
    assert.equal(widths[0], out ? 1188 : 1080);
    assert.equal(widths[311], out ? 1082 : 1186, 'the last step starts as the move ends');
    // Steps of two pixels across, never closer than ZOOM_MIN_HOLD_FRAMES.
    let last = 0;
    for (let n = 1; n < 312; n++) {
      const d = Math.abs((widths[n] ?? 0) - (widths[n - 1] ?? 0));
      assert.ok(d === 0 || d === 2, `one step at ${n}`);
      if (d === 2) {
        assert.ok(n - last >= ZOOM_MIN_HOLD_FRAMES || last === 0, `held at ${n}`);
        last = n;
      }
    }
    // A chunk that starts 121 frames in shows exactly what the whole move shows there.
    const second = imageZoom({ size, fps: 30, variant: 0, offsetFrames: 121, motionFrames: 312, out });
    assert.deepEqual(zoomFrames(second.chain, 150), frames.slice(121, 271));
  }
  // Too short to zoom: a still.
  assert.equal(imageZoom({ size, fps: 30, variant: 0, offsetFrames: 0, motionFrames: 2, out: false }).chain, 'fps=30');
  assert.equal(imageMotionKind(0), 'zoom-in');
  for (let v = 0; v < 8; v++) assert.notEqual(imageMotionKind(v), imageMotionKind(v + 1));
});

test('transitions are short, and consecutive sections get different ones, none through black', () => {
  assert.equal(transitionFrames(30), 12);
  assert.ok(transitionFrames(30) / 30 >= 0.3 && transitionFrames(30) / 30 <= 0.5);
  for (let s = 1; s < 8; s++) assert.notEqual(transitionKind(s), transitionKind(s + 1));
  assert.equal(transitionKind(1), TRANSITIONS[0]);
  assert.ok(!(TRANSITIONS as readonly string[]).some((k) => k.includes('black')));
});
