import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contrastRatio, MIN_CONTRAST } from './contrast.ts';
import { seededRandom } from '@faceless/runtime';
import {
  LAYOUTS, LAYOUT_ORDER, PALETTES, THUMBNAIL_SIZE, coverCrop, hashString, layoutForVariant, paletteFor,
  variantId,
} from './layouts.ts';

test('cover crop of a portrait 1080×1920 poster into 1280×720 keeps full width and the upper middle', () => {
  const c = coverCrop({ width: 1080, height: 1920 }, THUMBNAIL_SIZE);
  assert.equal(c.x, 0);
  assert.equal(c.width, 1080);
  assert.equal(c.height, 607.5);
  assert.equal(c.y, (1920 - 607.5) * 0.4);
  assert.ok(Math.abs(c.width / c.height - 16 / 9) < 1e-9);
});

test('cover crop of a wide picture trims the sides evenly', () => {
  const c = coverCrop({ width: 2560, height: 720 }, THUMBNAIL_SIZE);
  assert.deepEqual(c, { x: 640, y: 0, width: 1280, height: 720 });
  const same = coverCrop({ width: 1280, height: 720 }, THUMBNAIL_SIZE);
  assert.deepEqual(same, { x: 0, y: 0, width: 1280, height: 720 });
});

test('five distinct layouts, variant i gets layout i, text boxes inside the frame', () => {
  assert.equal(LAYOUT_ORDER.length, 5);
  assert.deepEqual([0, 1, 2, 3, 4].map(layoutForVariant), LAYOUT_ORDER);
  assert.equal(layoutForVariant(5), LAYOUT_ORDER[0]);
  for (const name of LAYOUT_ORDER) {
    const b = LAYOUTS[name].textBox;
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= 1280 && b.y + b.height <= 720, name);
  }
  assert.equal(LAYOUTS['bold-left'].textBox.x + LAYOUTS['bold-left'].textBox.width <= 1280 * 0.65, true);
  assert.deepEqual([0, 1, 2, 3, 4].map(variantId), ['A', 'B', 'C', 'D', 'E']);
});

test('palettes are chosen by a stable hash of the title and differ between variants', () => {
  assert.equal(hashString('abc'), hashString('abc'));
  assert.notEqual(hashString('abc'), hashString('abd'));
  assert.equal(hashString('é'), hashString('e\u0301'));
  assert.equal(paletteFor('Sleep', 0), paletteFor('Sleep', 0));
  assert.notEqual(paletteFor('Sleep', 0), paletteFor('Sleep', 1));
});

test('every palette accent reads on its panel and band (the renderer darkens them otherwise)', () => {
  for (const p of PALETTES) {
    assert.ok(contrastRatio('#ffffff', p.panel) >= MIN_CONTRAST, p.name);
    assert.ok(contrastRatio('#ffffff', p.band) >= MIN_CONTRAST, p.name);
    assert.ok(contrastRatio(p.accent, '#0a0a0a') >= MIN_CONTRAST, p.name);
  }
});

test('the seeded PRNG repeats for a seed and stays in [0, 1)', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const xs = Array.from({ length: 100 }, () => a());
  assert.deepEqual(xs, Array.from({ length: 100 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});
