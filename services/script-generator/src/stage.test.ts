import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ScriptGenerateOutput, scriptSegments, speakingRate } from '@faceless/contracts';
import { FolderStore } from '@faceless/infra';
import { createCollectingLogger, createLogger, type FacelessError, type StageContext } from '@faceless/runtime';
import { createScriptGenerator, createScriptProvider, createStage, readScriptConfig } from './index.ts';
import { countWords, speakingSeconds, targetWordCount } from './script-stats.ts';

const root = await mkdtemp(join(tmpdir(), 'script-stage-'));
after(() => rm(root, { recursive: true, force: true }));

function context(warnings?: string[]): StageContext {
  return {
    store: new FolderStore(join(root, 'store')),
    log: warnings ? createCollectingLogger((m) => warnings.push(m)) : createLogger({ level: 'error' }),
    signal: new AbortController().signal,
    progress: () => {},
    workDir: root,
  };
}

// Top keywords as keyword-fetcher's offline provider ranks them for these topics.
const KEYWORDS = {
  en: ['how octopuses think', 'why octopuses think', 'how octopuses think explained', 'what are octopuses', 'octopuses facts', 'octopuses myths'],
  fr: ['comment pensent les pieuvres', 'pourquoi pensent les pieuvres', "qu'est-ce que les pieuvres", 'pieuvres anecdotes', 'pieuvres idées reçues'],
};
const TOPICS = { en: 'how octopuses think', fr: 'comment pensent les pieuvres' };

test('offline end to end: 30, 60 and 180 s in English and French land within 15% of the voice\'s pace with 3 to 7 sections', async () => {
  const stage = createStage({ env: { SCRIPT_PROVIDER: 'offline' } });
  for (const lang of ['en', 'fr'] as const) {
    for (const durationSec of [30, 60, 180]) {
      const out = ScriptGenerateOutput.parse(await stage.execute({ topic: TOPICS[lang], lang, durationSec, keywords: KEYWORDS[lang] }, context()));
      const { script } = out;
      const target = targetWordCount(durationSec, speakingRate('espeak', lang));
      const what = `${lang} ${durationSec}s`;
      assert.equal(out.provider, 'template');
      assert.equal(script.lang, lang);
      assert.ok(Math.abs(script.wordCount - target) <= target * 0.15, `${what}: ${script.wordCount} words, target ${target}`);
      assert.ok(Math.abs(script.estimatedDurationSec - durationSec) <= durationSec * 0.15, `${what}: ${script.estimatedDurationSec}s`);
      assert.ok(script.sections.length >= 3 && script.sections.length <= 7, `${what}: ${script.sections.length} sections`);
      assert.equal(script.wordCount, countWords(scriptSegments(script).map((s) => s.text).join(' ')));
      const text = [script.titleIdea, ...scriptSegments(script).map((s) => `${s.heading} ${s.text}`)].join(' ');
      if (lang === 'fr') {
        assert.match(text, /[éèàêçùû]/, `${what}: accents`);
        assert.doesNotMatch(text, /\b(the|and|you|subscribe|this|what|here|let's|with|is)\b/i, `${what}: English template text in "${text}"`);
      } else {
        assert.doesNotMatch(text, /[éèàç]/);
      }
    }
  }
});

test('a sourceText is narrated as written, whatever the provider', async () => {
  const warnings: string[] = [];
  const stage = createScriptGenerator({ provider: { name: 'never', write: () => Promise.reject(new Error('must not be called')) } });
  const out = await stage.execute({
    topic: 'octopuses', durationSec: 120,
    sourceText: '# Octopus minds\n\nHave you met an octopus?\n\n## Nine brains\n\nEach arm *thinks*.\n\n## Call to action\n\nFollow for more.',
  }, context(warnings));
  assert.equal(out.provider, 'source-text');
  assert.equal(out.script.hook, 'Have you met an octopus?');
  assert.deepEqual(out.script.sections.map((s) => [s.heading, s.narration]), [['Nine brains', 'Each arm thinks.']]);
  assert.equal(out.script.callToAction, 'Follow for more.');
  assert.equal(out.script.wordCount, 11);
  assert.ok(warnings.some((w) => /durationSec/.test(w)), 'a 4-second text for a 120-second request is flagged');
});

test('provider counts are not trusted: the stage recomputes them and sets lang', async () => {
  const stage = createScriptGenerator({
    provider: {
      name: 'liar',
      write: () => Promise.resolve({ lang: 'en', titleIdea: 'T', hook: 'One two three.', sections: [{ heading: 'H', narration: 'Four five.', visualKeywords: ['x', 'y'] }], callToAction: 'Six.', wordCount: 999, estimatedDurationSec: 999 }),
    },
  });
  const out = await stage.execute({ topic: 't', lang: 'de' }, context());
  assert.equal(out.script.wordCount, 6);
  assert.equal(out.script.estimatedDurationSec, speakingSeconds(6, speakingRate('espeak', 'de')), 'at espeak-ng\'s German pace');
  assert.equal(out.script.lang, 'de');
});

test('bad input names the field', async () => {
  await assert.rejects(createStage({ env: {} }).execute({ topic: 'x', durationSec: 5 }, context()), (e: FacelessError) => e.code === 'INVALID_INPUT' && e.field === 'durationSec');
});

test('the environment picks the provider and lists every bad variable at once', () => {
  assert.equal(createScriptProvider({}).name, 'template');
  assert.equal(createScriptProvider({ OPENAI_API_KEY: 'sk-x' }).name, 'openai');
  assert.equal(createScriptProvider({ OPENAI_API_KEY: 'sk-x', SCRIPT_PROVIDER: 'offline' }).name, 'template');
  assert.equal(createScriptProvider({ SCRIPT_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }).name, 'openai', 'a local server needs no key');
  const c = readScriptConfig({ OPENAI_API_KEY: 'sk-x', OPENAI_MODEL: '' });
  assert.deepEqual([c.baseUrl, c.model, c.timeoutMs, c.attempts], ['https://api.openai.com', 'gpt-4o-mini', 120_000, 3]);
  assert.throws(() => readScriptConfig({ SCRIPT_PROVIDER: 'openai', OPENAI_BASE_URL: 'ftp://x', OPENAI_MAX_ATTEMPTS: '0' }), (e: FacelessError) => {
    assert.equal(e.code, 'INVALID_OPTION');
    for (const name of ['OPENAI_BASE_URL', 'OPENAI_MAX_ATTEMPTS']) assert.match(e.message, new RegExp(name));
    return true;
  });
  assert.throws(() => readScriptConfig({ SCRIPT_PROVIDER: 'openai' }), (e: FacelessError) => /OPENAI_API_KEY/.test(e.message));
  assert.throws(() => readScriptConfig({ SCRIPT_PROVIDER: 'gpt' }), (e: FacelessError) => /SCRIPT_PROVIDER/.test(e.message));
});
