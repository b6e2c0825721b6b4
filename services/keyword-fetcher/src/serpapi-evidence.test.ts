import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, mergeSerpEvidence, parseViews, risingPercent } from './serpapi-evidence.ts';

test('views, counts and rising values are read the way SerpApi writes them', () => {
  assert.equal(parseViews(1234567), 1234567);
  assert.equal(parseViews('1,234,567 views'), 1234567);
  assert.equal(parseViews('1.2M views'), 1200000);
  assert.equal(parseViews(undefined), undefined);
  assert.equal(formatCount(1234567), '1.2M');
  assert.equal(formatCount(15000), '15K');
  assert.equal(formatCount(999), '999');
  assert.equal(risingPercent({ value: 'Breakout', extracted_value: 30100 }), Number.POSITIVE_INFINITY);
  assert.equal(risingPercent({ value: '+350%', extracted_value: 350 }), 350);
  assert.equal(risingPercent({ value: '+1,200%' }), 1200);
});

test('evidence from several engines adds up, each reason citing its number', () => {
  const out = mergeSerpEvidence({
    autocomplete: { suggestions: [{ value: 'coffee beans', relevance: 1250 }, { value: 'coffee grinder', relevance: 600 }] },
    trends: { related_queries: { rising: [{ query: 'Coffee Beans', value: '+350%', extracted_value: 350 }, { query: 'cold brew', value: 'Breakout' }], top: [{ query: 'espresso', value: '100', extracted_value: 100 }] } },
    youtube: { video_results: [{ title: 'The BEST coffee beans, ranked', views: 1_234_567 }, { title: 'Espresso at home', views: 500 }] },
  }, 'en');
  const beans = out.find((k) => k.keyword === 'coffee beans');
  assert.ok(beans);
  assert.match(beans.reason, /autocomplete relevance 1250/);
  assert.match(beans.reason, /rising \+350% on YouTube/);
  assert.match(beans.reason, /top video for it has 1\.2M views/);
  assert.match(beans.reason, /confirmed by 3 sources/);
  assert.equal(beans.source, 'serpapi:autocomplete+trends+youtube');
  const grinder = out.find((k) => k.keyword === 'coffee grinder')!;
  assert.ok(beans.score > grinder.score);
  assert.match(out.find((k) => k.keyword === 'cold brew')!.reason, /breakout/);
  assert.doesNotMatch(out.find((k) => k.keyword === 'espresso')!.reason, /views/, 'a video under 1000 views is no evidence');
  for (const k of out) assert.ok(k.score >= 0 && k.score <= 100);
});
