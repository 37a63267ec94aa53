import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGE_SPECS, LANGUAGES, type Language } from '../../src/benchmarks/polyglot/languages.js';
import { PolyglotHiddenSchema } from '../../src/benchmarks/polyglot/read.js';
import { polyglot } from '../../src/benchmarks/polyglot/benchmark.js';
import { hacks } from './polyglot-hacks.js';
import { ensureImages } from '../../src/sandbox/images/build.js';
import { fillVolumes } from '../../src/sandbox/volumes.js';
import { postGrade, testApp } from '../helpers/app.js';
import { dockerAvailable, SANDBOXES } from '../helpers/docker.js';
import { ti } from '../helpers/instance.js';

// Aider Polyglot reward hacks (listed in polyglot-hacks.ts): every one must
// fail, never pass and never infra_error.

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'polyglot');
const langs = (process.env.VERDICT_POLYGLOT_LANGS?.split(',') ?? [...LANGUAGES]).filter((l): l is Language => (LANGUAGES as readonly string[]).includes(l));
const { problems } = await polyglot.read(FIXTURES, {});

const hasDocker = await dockerAvailable();

describe.skipIf(!hasDocker)('polyglot hacks in the sandboxes', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, langs.map((l) => LANGUAGE_SPECS[l].image));
    app = await testApp([{ benchmark: 'polyglot', file: FIXTURES }], { instance: ti('test-polyglot-hacks') });
    if (langs.includes('cpp')) await fillVolumes(new Docker(), SANDBOXES, polyglot.volumes!(problems));
  }, 3_600_000);
  afterAll(async () => {
    await app?.close();
  });

  const grade = (problem_id: string, completion: string) => postGrade(app, { benchmark: 'polyglot', problem_id, completion });

  for (const lang of langs) {
    it(`${lang}: every hack fails, and the problem's reference still passes`, async () => {
      const mine = hacks.filter((h) => h.language === lang);
      for (const h of mine) {
        const v = await grade(h.problem, JSON.stringify(h.files));
        expect.soft(v.status, `${h.name}: ${v.reason} ${v.detail}`).toBe('fail');
      }
      for (const id of new Set(mine.map((h) => h.problem))) {
        const ref = PolyglotHiddenSchema.parse(problems.find((p) => p.id === id)!.hidden).reference;
        const v = await grade(id, JSON.stringify(ref));
        expect(v.status, `${id} reference: ${v.detail}`).toBe('pass');
      }
    }, 900_000);
  }
});
