import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { parseDockerHosts, redactEndpoint } from '../src/sandbox/hosts.js';
import { HUMANEVAL_MINI, writeFixtures } from './fixtures/humaneval.js';
import { postGrade, testApp } from './helpers/app.js';
import { freePort, REDIS_SERVER, TestRedis } from './helpers/redis.js';
import { ti } from './helpers/instance.js';

// The queue's edges without Docker: configuration, and what a grade answers
// when Redis is away or no worker is there. (The real thing, with workers and
// engines, is test/cluster.test.ts.)

describe('docker hosts list', () => {
  it('parses endpoints with and without capacities, bare socket paths included', () => {
    expect(parseDockerHosts('unix:///var/run/docker.sock=8, tcp://10.0.0.7:2375=16,/run/other.sock,ssh://ops@box', 4)).toEqual([
      { endpoint: 'unix:///var/run/docker.sock', capacity: 8 },
      { endpoint: 'tcp://10.0.0.7:2375', capacity: 16 },
      { endpoint: 'unix:///run/other.sock', capacity: 4 },
      { endpoint: 'ssh://ops@box', capacity: 4 },
    ]);
  });

  it('rejects bad entries naming them', () => {
    expect(() => parseDockerHosts('ftp://x', 1)).toThrow(/'ftp:\/\/x': scheme/);
    expect(() => parseDockerHosts('tcp://a:1=0', 1)).toThrow(/capacity must be a positive integer/);
    expect(() => parseDockerHosts('tcp://a:1,tcp://a:1', 1)).toThrow(/listed twice/);
    expect(() => parseDockerHosts(' , ', 1)).toThrow(/empty/);
    expect(() => parseDockerHosts('not a url', 1)).toThrow(/'not a url' is not an endpoint/);
  });

  it('never logs a password', () => {
    expect(redactEndpoint('https://u:secret@h:2376')).not.toContain('secret');
  });

  it('the queue URL must be Redis', () => {
    expect(() => loadConfig({ VERDICT_QUEUE_URL: 'http://x' })).toThrow(/queueUrl: must be a redis:\/\/ or rediss:\/\/ URL/);
    expect(loadConfig({ VERDICT_QUEUE_URL: 'redis://r:6379' }).queueUrl).toBe('redis://r:6379');
  });
});

const add = HUMANEVAL_MINI[0]!;

describe('grading through a queue nobody serves', () => {
  it('Redis unreachable: infra_error queue_unavailable (retryable), at once; bad requests are still 4xx', async () => {
    const port = await freePort();
    const app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }], { instance: ti('test-queue-down'), queueUrl: `redis://127.0.0.1:${port}` });
    try {
      const t0 = performance.now();
      const v = await postGrade(app, { benchmark: 'humaneval', problem_id: add.task_id, completion: add.canonical_solution });
      expect(v).toMatchObject({ status: 'infra_error', reason: 'queue_unavailable', retryable: true });
      expect(performance.now() - t0).toBeLessThan(15_000);
      const bad = await app.server.inject({ method: 'POST', url: '/v1/grade', payload: { benchmark: 'humaneval', problem_id: 'nope', completion: '' } });
      expect(bad.statusCode).toBe(404);
      const h = await app.server.inject({ method: 'GET', url: '/healthz' });
      expect(h.statusCode).toBe(503);
      expect(h.json().queue.reachable).toBe(false);
    } finally {
      await app.close();
    }
  }, 60_000);

  describe.skipIf(!REDIS_SERVER)('Redis up, no worker', () => {
    const redis = new TestRedis();
    let app: Awaited<ReturnType<typeof testApp>>;
    beforeAll(async () => {
      await redis.start();
      app = await testApp([{ benchmark: 'humaneval', file: writeFixtures().humaneval }], { instance: ti('test-queue-idle'), queueUrl: redis.url, queuePrefix: 'idle' });
    });
    afterAll(async () => {
      await app?.close();
      await redis.stop();
    });

    it('answers infra_error deadline within timeout_ms, and /healthz says no worker is connected', async () => {
      const v = await postGrade(app, { benchmark: 'humaneval', problem_id: add.task_id, completion: add.canonical_solution, options: { timeout_ms: 1500 } });
      expect(v).toMatchObject({ status: 'infra_error', reason: 'deadline', retryable: true });
      const h = await app.server.inject({ method: 'GET', url: '/healthz' });
      expect(h.statusCode).toBe(503);
      expect(h.json().queue).toMatchObject({ reachable: true, workers: 0 });
    }, 30_000);
  });
});
