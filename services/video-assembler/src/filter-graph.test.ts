import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canvasSize, chunkFilterGraph, escapeFilterValue, gradientStillExpressions, panCrop, panPath } from './filter-graph.ts';
import type { ChunkGraphOptions } from './filter-graph.ts';
import { generatedVisuals, PALETTES } from './providers/generated.ts';
import { outputSize } from './video-format.ts';

const palette = PALETTES[0] ?? { name: 'x', base: ['#000000', '#111111'], glows: ['#ff0000', '#00ff00'] } as const;
const base: ChunkGraphOptions = {
  visual: { kind: 'generated', palette, seed: 7, source: 'gradient:aurora' },
  size: outputSize('9:16'),
  fps: 30,
  startFrame: 150,
  frames: 150,
  segmentStartFrame: 90,
  segmentFrames: 300,
  motionVariant: 0,
  motionTailFrames: 12,
};

test('escapeFilterValue escapes for the option parser, then for the graph parser (ffmpeg-filters example)', () => {
  assert.equal(
    escapeFilterValue("this is a 'string': may contain one, or more, special characters"),
    "this is a \\\\\\'string\\\\\\'\\\\: may contain one\\, or more\\, special characters",
  );
  assert.equal(escapeFilterValue('/tmp/a b/c.ass'), '/tmp/a b/c.ass');
  assert.equal(escapeFilterValue('C:\\subs[1];x'), 'C\\\\:\\\\\\\\subs\\[1\\]\\;x');
});

test('a generated background is drawn small once, scaled once to a larger canvas, looped and panned', () => {
  const g = chunkFilterGraph(base);
  const canvas = canvasSize(base.size, 1.15);
  assert.deepEqual(canvas, { width: 1242, height: 2208 });
  assert.match(g, /^nullsrc=s=156x276:r=30,trim=end_frame=1,format=gbrp,geq=r='[^']+':g='[^']+':b='[^']+',/);
  assert.ok(g.includes(`scale=1242:2208:flags=bicubic,format=yuv420p,setsar=1,loop=loop=-1:size=1:start=0,settb=1/30,setpts=N,crop=1080:1920:`));
  // The chunk starts 2 s into its segment; the pan spans the segment plus the next transition (300 + 12 frames).
  assert.match(g, /crop=1080:1920:x='0\+162\*\(0\.5-0\.5\*cos\(PI\*clip\(\(t\+2\)\/10\.4,0,1\)\)\)':y='0\+288\*[^']+':exact=1/);
  assert.ok(g.includes(',setpts=N+150,'), 'frames carry output-timeline timestamps for the captions');
  assert.ok(g.endsWith('setpts=PTS-STARTPTS[v]'));
  assert.ok(!g.includes('ass='), 'no captions asked');
  assert.ok(!g.includes('zoompan'), 'soft light needs no sub-pixel motion');
  assert.ok(!g.includes('xfade'), 'not the first chunk of its segment');
});

test('panCrop counts time from the segment start whether it lies before or after the chunk start', () => {
  const size = outputSize('16:9');
  const canvas = canvasSize(size, 1.15);
  assert.match(panCrop({ canvas, size, variant: 0, startSec: 1.5, durationSec: 4 }), /clip\(\(t-1\.5\)\/4,0,1\)/);
  assert.match(panCrop({ canvas, size, variant: 0, startSec: -3, durationSec: 4 }), /clip\(\(t\+3\)\/4,0,1\)/);
  assert.match(panCrop({ canvas, size, variant: 0, startSec: 0, durationSec: 4 }), /clip\(\(t\+0\)\/4,0,1\)/);
});

test('the still is the same for a seed and different between seeds', () => {
  const a = gradientStillExpressions(palette, 1);
  assert.deepEqual(gradientStillExpressions(palette, 1), a);
  assert.notDeepEqual(gradientStillExpressions(palette, 2), a);
  for (const expr of Object.values(a)) {
    assert.match(expr, /^clip\(.*,0,255\)$/);
    assert.ok(!expr.includes("'") && !expr.includes(':'), 'safe inside a quoted geq option');
  }
});

test('consecutive segments get different palettes and pans that stay inside the canvas', () => {
  const visuals = generatedVisuals(['Intro', 'A', 'B', 'C', 'D', 'Outro'].map((heading, segment) => ({ segment, heading, keywords: [] })));
  for (let i = 1; i < visuals.length; i++) {
    const [prev, cur] = [visuals[i - 1], visuals[i]];
    assert.ok(prev?.kind === 'generated' && cur?.kind === 'generated');
    assert.notEqual(prev.palette.name, cur.palette.name);
  }
  assert.deepEqual(generatedVisuals([{ segment: 0, heading: 'Intro', keywords: [] }]), generatedVisuals([{ segment: 0, heading: 'Intro', keywords: [] }]));
  const size = outputSize('16:9');
  const canvas = canvasSize(size, 1.12);
  for (let v = 0; v < 4; v++) {
    const p = panPath(canvas, size, v);
    for (const x of [p.x0, p.x1]) assert.ok(x >= 0 && x + size.width <= canvas.width);
    for (const y of [p.y0, p.y1]) assert.ok(y >= 0 && y + size.height <= canvas.height);
    assert.ok(p.x0 !== p.x1 || p.y0 !== p.y1, 'it moves');
  }
  assert.match(panCrop({ canvas, size, variant: 2, startSec: 0, durationSec: 5 }), /^crop=1920:1080:x=\d+:y='/);
});

test('captions and fonts are passed to libass with escaped paths', () => {
  const g = chunkFilterGraph({ ...base, captionsPath: "/tmp/it's: a, [test]/captions.ass", fontsDir: '/tmp/fonts' });
  assert.ok(g.includes(",ass=filename=/tmp/it\\\\\\'s\\\\: a\\, \\[test\\]/captions.ass:fontsdir=/tmp/fonts,setpts=PTS-STARTPTS[v]"));
});

test('an image is cover-scaled once to the frame plus its pan, looped, then cropped by whole pixels', () => {
  const image = chunkFilterGraph({ ...base, motionVariant: 1, visual: { kind: 'image', path: '/m/a.jpg', source: 'a.jpg' } });
  // Variant 1 pans up over the segment plus the next transition (312 frames, one pixel each).
  assert.equal(image, "[0:v]scale=1080:2232:force_original_aspect_ratio=increase:flags=bicubic,crop=1080:2232,format=yuv420p,setsar=1,loop=loop=-1:size=1:start=0,settb=1/30,setpts=N,fps=30,crop=1080:1920:x=0:y='312-min(312,floor((n+60)*312/312))':exact=1,setpts=N+150,setpts=PTS-STARTPTS[v]");
  assert.ok(!image.includes('zoompan'), 'no per-frame rescale');
  // Variant 0 zooms in: scaled once to the zoom's largest frame (10 % wider), then one rescale per step.
  const zoom = chunkFilterGraph({ ...base, visual: { kind: 'image', path: '/m/a.jpg', source: 'a.jpg' } });
  assert.ok(zoom.startsWith('[0:v]scale=1188:2112:force_original_aspect_ratio=increase:flags=bicubic,crop=1188:2112,format=yuv420p,setsar=1,loop=loop=-1:size=1:start=0,settb=1/30,setpts=N,setpts='), zoom);
  assert.match(zoom, /,scale=w='[^']+':h='[^']+':eval=frame:flags=bicubic,crop=1080:1920:x='[^']+':y='[^']+':exact=1,setsar=1,fps=30,setpts=N\+150,setpts=PTS-STARTPTS\[v\]$/);
  assert.ok(!zoom.includes('zoompan'), 'no per-frame rescale');
  const clip = chunkFilterGraph({ ...base, visual: { kind: 'clip', path: '/m/c.mp4', durationSec: 2, source: 'c.mp4' } });
  assert.equal(clip, "[0:v]fps=30,crop=w='min(iw,ih*1080/1920)':h='min(ih,iw*1920/1080)',scale=1080:1920:flags=bilinear,setsar=1,format=yuv420p,settb=1/30,setpts=N,setpts=N+150,setpts=PTS-STARTPTS[v]");
});

test('a transition draws the previous background from the next input and crossfades it into this one', () => {
  const previous = { visual: { kind: 'image', path: '/m/p.jpg', source: 'p.jpg' } as const, segmentStartFrame: 0, segmentFrames: 150, motionVariant: 1 };
  const g = chunkFilterGraph({
    ...base,
    startFrame: 150,
    segmentStartFrame: 150,
    visual: { kind: 'clip', path: '/m/c.mp4', durationSec: 9, source: 'c.mp4' },
    transition: { ...previous, kind: 'smoothup', frames: 12 },
    captionsPath: '/c.ass',
  });
  assert.match(g, /^\[1:v\]scale=1080:2082:.*,crop=1080:1920:x=0:y='162-min\(162,floor\(\(n\+150\)\*162\/162\)\)':exact=1,trim=end_frame=13\[from\];\[0:v\]/);
  assert.ok(g.includes('[to];[from][to]xfade=transition=smoothup:duration=0.4:offset=0,setpts=N+150,ass=filename=/c.ass,setpts=PTS-STARTPTS[v]'));
  const fromGenerated = chunkFilterGraph({ ...base, transition: { ...previous, visual: base.visual, kind: 'fade', frames: 12 } });
  assert.ok(!fromGenerated.includes(':v]'), 'two generated backgrounds read no input');
  const intoGenerated = chunkFilterGraph({ ...base, transition: { ...previous, kind: 'fade', frames: 12 } });
  assert.ok(intoGenerated.startsWith('[0:v]'), 'with no file of its own, the previous image is input 0');
});

test('the poster graph takes the chosen frame without captions, scaled to the poster size, and has no other output', () => {
  const size = outputSize('16:9');
  const g = chunkFilterGraph({ ...base, size, captionsPath: '/c.ass', poster: { frameInChunk: 42, size: { width: 1280, height: 720 } } });
  assert.match(g, /,select='eq\(n,42\)',scale=1280:720:flags=bicubic,setsar=1\[poster\]$/);
  assert.doesNotMatch(g, /ass=|\[v\]|split/);
});
