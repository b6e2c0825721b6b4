import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseProvider, parseTtsConfig } from './config.ts';
import { createProvider } from './index.ts';

test('no environment at all: offline espeak-ng with documented defaults', () => {
  const config = parseTtsConfig({});
  assert.equal(chooseProvider(config), 'espeak');
  assert.equal(config.ELEVENLABS_BASE_URL, 'https://api.elevenlabs.io');
  assert.equal(config.ELEVENLABS_MODEL, 'eleven_multilingual_v2');
  assert.equal(config.TTS_SEGMENT_PAUSE_MS, 350);
  assert.equal(createProvider(config).name, 'espeak-ng');
});

test('a key alone switches to ElevenLabs; TTS_PROVIDER=espeak keeps it offline; empty values count as unset', () => {
  assert.equal(chooseProvider(parseTtsConfig({ ELEVENLABS_API_KEY: 'k' })), 'elevenlabs');
  assert.equal(createProvider(parseTtsConfig({ ELEVENLABS_API_KEY: 'k' })).name, 'elevenlabs');
  assert.equal(chooseProvider(parseTtsConfig({ ELEVENLABS_API_KEY: 'k', TTS_PROVIDER: 'espeak' })), 'espeak');
  assert.equal(chooseProvider(parseTtsConfig({ ELEVENLABS_API_KEY: '', TTS_PROVIDER: '' })), 'espeak');
});

test('every bad variable is named at once, and the key is never echoed', () => {
  assert.throws(
    () => parseTtsConfig({ TTS_PROVIDER: 'elevenlabs', ELEVENLABS_BASE_URL: 'not a url', TTS_SEGMENT_PAUSE_MS: '-3' }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'INVALID_OPTION');
      assert.match(err.message, /ELEVENLABS_BASE_URL="not a url"/);
      assert.match(err.message, /TTS_SEGMENT_PAUSE_MS="-3"/);
      assert.match(err.message, /ELEVENLABS_API_KEY: TTS_PROVIDER=elevenlabs needs an API key/);
      return true;
    },
  );
  assert.throws(() => parseTtsConfig({ TTS_PROVIDER: 'polly' }), /TTS_PROVIDER="polly"/);
});
