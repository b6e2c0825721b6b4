import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MIN_CONTRAST, contrastRatio, luminancePercentile, mix, parseHex, pickTextColor, relativeLuminance, textOnSurface,
  toHex, veilAlphaFor,
} from './contrast.ts';

test('black on white is 21:1 and a colour on itself is 1:1', () => {
  assert.equal(contrastRatio('#000000', '#ffffff'), 21);
  assert.equal(contrastRatio('#ffffff', '#000'), 21);
  assert.equal(contrastRatio('#3a86ff', '#3a86ff'), 1);
});

test('the WCAG AA edge: #767676 on white passes 4.5:1, #777777 does not', () => {
  assert.ok(contrastRatio('#767676', '#ffffff') >= MIN_CONTRAST);
  assert.ok(contrastRatio('#777777', '#ffffff') < MIN_CONTRAST);
  assert.equal(Math.round(contrastRatio('#767676', '#ffffff') * 100) / 100, 4.54);
});

test('hex parsing accepts short and long forms and rejects junk', () => {
  assert.deepEqual(parseHex('#fa0'), [255, 170, 0]);
  assert.deepEqual(parseHex('FFAA00'), [255, 170, 0]);
  assert.throws(() => parseHex('orange'), /not a #rgb/);
  assert.equal(toHex([255, 170, 0]), '#ffaa00');
  assert.equal(mix('#000000', '#ffffff', 0.5), '#808080');
});

test('pickTextColor takes the first candidate that passes, dark text on yellow', () => {
  assert.deepEqual(pickTextColor('#ffd23f', ['#ffffff', '#111111']).color, '#111111');
  assert.deepEqual(pickTextColor('#12204a', ['#ffffff', '#111111']).color, '#ffffff');
  const none = pickTextColor('#808080', ['#999999', '#707070']);
  assert.ok(none.ratio < MIN_CONTRAST);
  assert.equal(none.color, '#999999');
});

test('textOnSurface darkens a mid red until white text passes', () => {
  assert.ok(contrastRatio('#ffffff', '#e63946') < MIN_CONTRAST);
  const r = textOnSurface('#e63946', ['#ffffff']);
  assert.equal(r.color, '#ffffff');
  assert.ok(r.ratio >= MIN_CONTRAST);
  assert.notEqual(r.surface, '#e63946');
  assert.ok(contrastRatio(r.color, r.surface) >= MIN_CONTRAST);
  const kept = textOnSurface('#ffd23f', ['#ffffff', '#111111']);
  assert.equal(kept.surface, '#ffd23f');
});

test('veilAlphaFor: a black veil of that opacity brings a bright backdrop to 4.5:1 under white text', () => {
  const white = relativeLuminance([255, 255, 255]);
  for (const grey of [255, 230, 200, 170, 140]) {
    const backdrop = relativeLuminance([grey, grey, grey]);
    const a = veilAlphaFor(backdrop, white);
    const veiled = Math.round(grey * (1 - a));
    assert.ok(contrastRatio('#ffffff', [veiled, veiled, veiled]) >= MIN_CONTRAST, `grey ${grey} alpha ${a}`);
    assert.ok(a < 0.8, `grey ${grey} needs no more than a 0.8 veil, got ${a}`);
  }
  assert.equal(veilAlphaFor(relativeLuminance([40, 40, 40]), white), 0);
});

test('luminancePercentile reads RGBA bytes and picks the bright end', () => {
  const px = new Uint8ClampedArray([
    0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 255,
  ]);
  assert.equal(luminancePercentile(px, 0), 0);
  assert.equal(luminancePercentile(px, 100), 1);
  assert.equal(luminancePercentile(px, 50), 0);
  assert.equal(luminancePercentile(new Uint8ClampedArray(0), 90), 0);
});
