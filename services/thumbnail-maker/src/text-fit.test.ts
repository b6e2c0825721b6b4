import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitText, lineBreaks } from './text-fit.ts';
import type { Box, MeasureText } from './text-fit.ts';

/** A monospace stand-in: every character 0.6 em wide. */
const mono: MeasureText = (text, size) => [...text].length * 0.6 * size;
const box: Box = { x: 100, y: 50, width: 600, height: 600 };

test('lineBreaks lists every ordered split into at most maxLines lines', () => {
  assert.equal(lineBreaks(['a', 'b', 'c', 'd'], 3).length, 1 + 3 + 3);
  assert.equal(lineBreaks(['a', 'b', 'c', 'd', 'e'], 4).length, 1 + 4 + 6 + 4);
  assert.deepEqual(lineBreaks(['a'], 3), [[['a']]]);
});

test('picks the largest size that fits, every line inside the box at that size', () => {
  const fit = fitText({ words: ['OCTOPUSES', 'HAVE', 'THREE', 'HEARTS'], box, measure: mono, maxLines: 3 });
  assert.equal(fit.fits, true);
  for (const line of fit.lines) {
    assert.ok(mono(line.text, fit.fontSize) <= box.width, line.text);
    assert.ok(line.x >= box.x && line.x + line.width <= box.x + box.width);
  }
  assert.ok(fit.block.height <= box.height);
  // One size up, the same lines overflow: it really is the largest.
  const widest = Math.max(...fit.lines.map((l) => mono(l.text, fit.fontSize + 2)));
  const tall = fit.lines.length * (fit.fontSize + 2) * 1.06;
  assert.ok(widest > box.width || tall > box.height || fit.fontSize === 240);
  // On 3 lines "HAVE THREE" (10 chars) is the narrowest widest line: 600 / (10 × 0.6) = 100.
  assert.deepEqual(fit.lines.map((l) => l.text), ['OCTOPUSES', 'HAVE THREE', 'HEARTS']);
  assert.equal(fit.fontSize, 100);
  // On 4 lines "OCTOPUSES" (9 chars) limits it: 600 / (9 × 0.6) = 111.
  assert.equal(fitText({ words: ['OCTOPUSES', 'HAVE', 'THREE', 'HEARTS'], box, measure: mono, maxLines: 4 }).fontSize, 111);
});

test('lines are centred on the box when asked, and the block is centred vertically', () => {
  const fit = fitText({ words: ['BIG', 'WORDS'], box, measure: mono, align: 'center', maxLines: 2 });
  for (const l of fit.lines) assert.ok(Math.abs(l.x + l.width / 2 - (box.x + box.width / 2)) < 0.01);
  assert.ok(Math.abs(fit.block.y + fit.block.height / 2 - (box.y + box.height / 2)) < 0.01);
});

test('maxSize caps a short word; a word too long for minSize is reported as not fitting', () => {
  assert.equal(fitText({ words: ['HI'], box, measure: mono, maxSize: 200 }).fontSize, 200);
  const long = fitText({ words: ['PNEUMONOULTRAMICROSCOPICSILICOVOLCANOCONIOSIS'], box, measure: mono, minSize: 40 });
  assert.equal(long.fontSize, 40);
  assert.equal(long.fits, false);
});

test('an outline pad makes room for the stroke', () => {
  const plain = fitText({ words: ['OCTOPUSES'], box, measure: mono });
  const padded = fitText({ words: ['OCTOPUSES'], box, measure: mono, padEm: 0.2 });
  assert.ok(padded.fontSize < plain.fontSize);
  assert.ok(mono('OCTOPUSES', padded.fontSize) + 0.2 * padded.fontSize <= box.width);
});

test('a break after a glue word is avoided when it costs little', () => {
  const words = ['ONT', 'PEUR', 'DES', 'ABEILLES'];
  const wide: Box = { x: 0, y: 0, width: 900, height: 400 };
  const free = fitText({ words, box: wide, measure: mono, maxLines: 2 });
  const glued = fitText({ words, box: wide, measure: mono, maxLines: 2, keepWithNext: (w) => w === 'DES' });
  assert.deepEqual(glued.lines.map((l) => l.text), ['ONT PEUR', 'DES ABEILLES']);
  assert.ok(free.fontSize >= glued.fontSize);
});

test('line baselines step down by the line height and firstWord indexes the words', () => {
  const fit = fitText({ words: ['A', 'B', 'C'], box: { x: 0, y: 0, width: 60, height: 600 }, measure: mono, maxLines: 3 });
  assert.equal(fit.lines.length, 3);
  assert.deepEqual(fit.lines.map((l) => l.firstWord), [0, 1, 2]);
  const step = (fit.lines[1]?.baseline ?? 0) - (fit.lines[0]?.baseline ?? 0);
  assert.ok(Math.abs(step - fit.fontSize * 1.06) < 1e-9);
});
