import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReplicas, stackEnv, stackPorts } from './stack.ts';

test('a stage service with replicas gets a port each; the orchestrator is given them all, the gateway the first', () => {
  const ports = stackPorts({ uploader: [4100, 4101] }, { uploader: 2, 'ab-tester': 2 });
  assert.deepEqual(ports.uploader, [4100, 4101]);
  assert.deepEqual(ports['ab-tester'], [3009, 3109], 'replicas without ports: the seed port, then +100');
  assert.deepEqual(ports.orchestrator, [3001]);

  const env = stackEnv({ LOG_LEVEL: 'warn', UNSET: undefined }, ports, '127.0.0.1');
  assert.equal(env.orchestrator?.UPLOADER_URL, 'http://127.0.0.1:4100,http://127.0.0.1:4101');
  assert.equal(env.orchestrator?.AB_TESTER_URL, 'http://127.0.0.1:3009,http://127.0.0.1:3109');
  assert.equal(env['api-gateway']?.AB_TESTER_URL, 'http://127.0.0.1:3009', 'the gateway takes one URL per upstream');
  assert.equal(env['api-gateway']?.ORCHESTRATOR_URL, 'http://127.0.0.1:3001');
  assert.equal(env.uploader?.PORT, '4100');
  assert.equal(env.uploader?.LOG_LEVEL, 'warn');
  assert.equal('UNSET' in (env.uploader ?? {}), false);
});

test('replicas of the orchestrator or the gateway, of an unknown service, or with too few ports are refused at once', () => {
  assert.throws(() => stackPorts({}, { orchestrator: 2, nope: 1 }), (err: Error & { code?: string; field?: string }) => {
    assert.equal(err.code, 'INVALID_OPTION');
    assert.equal(err.field, 'replicas');
    assert.match(err.message, /orchestrator: 2 replicas/);
    assert.match(err.message, /nope: no such service/);
    return true;
  });
  assert.throws(() => stackPorts({ uploader: [4100] }, { uploader: 2 }), /uploader: 1 ports for 2 replicas/);
  assert.throws(() => stackPorts({}, { uploader: 0 }), /uploader: 0 replicas/);
});

test('faceless stack --replicas: service=count pairs; a malformed pair or a bad service is refused naming it', () => {
  assert.deepEqual(parseReplicas(''), {});
  assert.deepEqual(parseReplicas('uploader=2, video-assembler=3'), { uploader: 2, 'video-assembler': 3 });
  assert.throws(() => parseReplicas('uploader:2'), (e: Error & { code?: string }) => e.code === 'INVALID_OPTION' && /"uploader:2" is not <service>=<count>/.test(e.message));
  assert.throws(() => parseReplicas('orchestrator=2'), /orchestrator: 2 replicas/);
  assert.throws(() => parseReplicas('renderer=2'), /renderer: no such service/);
  assert.throws(() => parseReplicas('uploader=0'), /uploader: 0 replicas/);
});
