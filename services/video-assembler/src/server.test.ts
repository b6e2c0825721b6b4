import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FolderStore } from '@faceless/infra';
import { buildApp } from './server.ts';
import { syntheticNarration, writeToneWav } from './synthetic-narration.ts';

/** The value of the one sample of `name` whose labels include `labels`, from Prometheus text. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

test('a render through POST /videos/assemble shows on /metrics as seconds of video per second of wall time', async () => {
  const root = await mkdtemp(join(tmpdir(), 'va-server-'));
  const app = buildApp({ env: { VIDEO_ASSEMBLER_X264_PRESET: 'ultrafast' }, store: new FolderStore(root), logger: false });
  try {
    const before = (await app.inject({ url: '/metrics' })).body;
    assert.match(before, /^# TYPE faceless_video_render_speed_ratio histogram$/m);
    assert.match(before, /^# TYPE faceless_video_rendered_seconds_total counter$/m);
    assert.match(before, /^# TYPE faceless_video_render_wall_seconds_total counter$/m);
    assert.equal(sample(before, 'faceless_video_rendered_seconds_total', {}), undefined, 'nothing rendered yet');

    await mkdir(join(root, 'p'), { recursive: true });
    await writeToneWav(join(root, 'p', 'voice.wav'), 2);
    const n = syntheticNarration([{ heading: 'Intro', text: 'Octopuses have three hearts.' }, { heading: 'Outro', text: 'Follow for more.' }], 2);
    const res = await app.inject({
      method: 'POST', url: '/videos/assemble',
      payload: { outputPrefix: 'p/out/', audioPath: 'p/voice.wav', durationSec: n.durationSec, words: n.words, segments: n.segments, sections: n.sections, aspect: '16:9' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const out = res.json<{ durationSec: number }>();

    const text = (await app.inject({ url: '/metrics' })).body;
    const labels = { resolution: '1920x1080', service: 'video-assembler' };
    const videoSec = sample(text, 'faceless_video_rendered_seconds_total', labels);
    const wallSec = sample(text, 'faceless_video_render_wall_seconds_total', labels) ?? 0;
    assert.equal(videoSec, out.durationSec);
    assert.ok(wallSec > 0, `wall time ${wallSec} s`);
    assert.equal(sample(text, 'faceless_video_render_speed_ratio_count', labels), 1);
    assert.ok(Math.abs((sample(text, 'faceless_video_render_speed_ratio_sum', labels) ?? 0) - out.durationSec / wallSec) < 1e-6);
  } finally {
    await app.close();
    await rm(root, { recursive: true, force: true });
  }
});
