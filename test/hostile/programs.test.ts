import Docker from 'dockerode';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImages } from '../../src/sandbox/images/build.js';
import { LANGUAGE_SPECS } from '../../src/benchmarks/polyglot/languages.js';
import type { Verdict } from '../../src/schemas.js';
import { testApp } from '../helpers/app.js';
import { dockerAvailable, SANDBOXES } from '../helpers/docker.js';
import { mapLimit } from '../helpers/shared.js';
import { HONEST, loadPrograms, matches, sumProblem, type Language } from './programs.js';
import { ti } from '../helpers/instance.js';

// The standing suite of hostile programs through the HTTP API as a trainer
// calls it: Python, C++ and Java on the judge core (inline stdin problems), Go
// through the Aider Polyglot benchmark (`go test` on a fixture exercise). Each program gets its expected
// verdict; an honest grade in its language passes right after it; and a stream
// of honest grades running the whole time, beside the attacks, all pass.

const hasDocker = await dockerAvailable();
const programs = loadPrograms();
// per test (Go: the whole `go test`, build included, gets 20 times this); generous, as the machine may be loaded
const HOSTILE_LIMIT_S = 5;

describe.skipIf(!hasDocker)('hostile programs', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, ['judge', LANGUAGE_SPECS.go.image]);
    app = await testApp([{ benchmark: 'polyglot', file: path.join(__dirname, '..', 'fixtures', 'polyglot') }], { instance: ti('test-hostile'), concurrency: 3, warm: 1 });
  }, 1_800_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = async (language: Language, completion: string, timeoutS: number): Promise<Verdict> => {
    const r = await app.server.inject(
      language === 'go'
        ? // go test builds too: its limit covers the build
          { method: 'POST', url: '/v1/grade', payload: { benchmark: 'polyglot', problem_id: 'go/leap', completion: JSON.stringify({ 'leap.go': completion }), options: { timeout_s: timeoutS * 20 } } }
        : { method: 'POST', url: '/v1/grade/batch', payload: { items: [{ problem: sumProblem(language, timeoutS), completion }], format: 'json' } },
    );
    if (language === 'go') {
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Verdict;
    }
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { results: Verdict[] }).results[0]!;
  };

  it('has at least 50 programs in four languages, each with an expected verdict', () => {
    expect(programs.length).toBeGreaterThanOrEqual(50);
    expect(new Set(programs.map((p) => p.language))).toEqual(new Set(['python3', 'cpp17', 'java', 'go']));
  });

  it('gives every program its verdict, an honest grade after each passes, and honest grades alongside all pass', async () => {
    let attacking = true;
    const honest: Array<{ language: Language; v: Verdict }> = [];
    // honest grades beside the attacks, with a generous limit: a slow machine must not make them flaky
    const alongside = (async () => {
      const langs: Language[] = ['python3', 'cpp17', 'python3', 'java'];
      for (let i = 0; attacking; i++) {
        const language = langs[i % langs.length]!;
        honest.push({ language, v: await grade(language, HONEST[language], 20) });
      }
    })();

    const wrong: string[] = [];
    const run = async (p: (typeof programs)[number]) => {
      const v = await grade(p.language, p.source, HOSTILE_LIMIT_S);
      if (!matches(p, v)) wrong.push(`${p.name}: got ${v.status}/${v.reason} ${v.detail ?? ''}`.slice(0, 400));
      const after = await grade(p.language, HONEST[p.language], 20);
      if (after.status !== 'pass') wrong.push(`${p.name}: the honest grade after it got ${after.status}/${after.reason} ${after.detail ?? ''}`);
    };
    try {
      await mapLimit(programs.filter((p) => !p.after), 2, run);
      for (const p of programs.filter((p) => p.after)) await run(p);
    } finally {
      attacking = false;
      await alongside;
    }
    expect(wrong).toEqual([]);
    expect(honest.length).toBeGreaterThan(0);
    expect(honest.filter((h) => h.v.status !== 'pass').map((h) => `${h.language}: ${h.v.status}/${h.v.reason} ${h.v.detail ?? ''}`)).toEqual([]);
  }, 1_800_000);

  it('is healthy afterwards: /healthz answers and honest grades in every language pass', async () => {
    // (the status may be degraded by an image another suite has yet to build: the engine's part is what counts here)
    const h = await app.server.inject({ method: 'GET', url: '/healthz' });
    expect(h.json().docker.reachable, h.body).toBe(true);
    const pool = (h.json().pools as Array<{ busy: number; waiting: number }>).map((p) => [p.busy, p.waiting]);
    expect(pool.every(([busy, waiting]) => busy === 0 && waiting === 0), h.body).toBe(true);
    // the agent's stream (tests in, outputs out) is not copied to the host's disk by a log driver
    const docker = new Docker();
    const mine = await docker.listContainers({ filters: { label: [`verdict.instance=${ti('test-hostile')}`] } });
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) expect((await docker.getContainer(c.Id).inspect()).HostConfig.LogConfig?.Type).toBe('none');
    for (const language of ['python3', 'cpp17', 'go', 'java'] as const) {
      const v = await grade(language, HONEST[language], 20);
      expect(v.status, `${language}: ${JSON.stringify(v)}`).toBe('pass');
    }
  }, 120_000);
});
