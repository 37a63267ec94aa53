import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bundleIncludes, bundlePython } from '../src/benchmarks/python-bundle.js';
import { harnessCode } from '../src/benchmarks/python-harness/harness.js';

// Issue 17: the Python a benchmark ships is bundled from modules; the bundle
// is one flat script whose correctness the bundler checks.

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verdict-bundle-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('python bundle', () => {
  it('replaces each include line with its module, in order, and is deterministic', () => {
    const dir = tree({
      'main.py': '"""doc"""\nimport sys\n# bundle: include m/a.py\n# bundle: include m/b.py\nprint(B)\n',
      'm/a.py': '# a\nA = 1\n',
      'm/b.py': '# b\n# bundle: requires a\nB = A + 1\n',
    });
    const out = bundlePython(path.join(dir, 'main.py'));
    expect(bundleIncludes(fs.readFileSync(path.join(dir, 'main.py'), 'utf8'))).toEqual(['m/a.py', 'm/b.py']);
    expect(out.indexOf('A = 1')).toBeLessThan(out.indexOf('B = A + 1'));
    expect(out).not.toContain('# bundle: include');
    expect(out.startsWith('"""doc"""\n')).toBe(true);
    expect(bundlePython(path.join(dir, 'main.py'))).toBe(out);
    expect(execFileSync('python3', ['-c', out]).toString()).toBe('2\n');
  });

  it('refuses what a flat script would get wrong', () => {
    const bad = (files: Record<string, string>) => () => bundlePython(path.join(tree(files), 'main.py'));
    // a requirement included after (or not at all)
    expect(bad({ 'main.py': '# bundle: include b.py\n# bundle: include a.py\n', 'a.py': 'A = 1\n', 'b.py': '# bundle: requires a\nB = A\n' })).toThrow(/requires a/);
    // one name defined by two parts
    expect(bad({ 'main.py': '# bundle: include a.py\ndef f():\n    pass\n', 'a.py': 'def f():\n    return 1\n' })).toThrow(/f is defined in both/);
    // a module importing another
    expect(bad({ 'main.py': '# bundle: include a.py\n', 'a.py': 'from .b import X\n' })).toThrow(/imports a bundled module/);
    // nesting, and twice
    expect(bad({ 'main.py': '# bundle: include a.py\n', 'a.py': '# bundle: include b.py\n', 'b.py': '' })).toThrow(/do not nest/);
    expect(bad({ 'main.py': '# bundle: include a.py\n# bundle: include a.py\n', 'a.py': 'A = 1\n' })).toThrow(/twice/);
  });

  it('ships the harness as one script that defines what its entry and the candidate call', () => {
    const code = harnessCode();
    expect(code).not.toContain('# bundle: include');
    const dir = tree({ 'verdict_harness.py': code });
    // defining everything runs no main (the candidate execs the script under another __name__)
    const names = execFileSync('python3', ['-c', "g={'__name__':'verdict_candidate'}; exec(compile(open('verdict_harness.py').read(),'verdict_harness.py','exec'), g); print(' '.join(k for k in ('main','child_main','Judge','Candidate','run_evalplus','encode_value') if callable(g.get(k))))"], { cwd: dir }).toString();
    expect(names.trim()).toBe('main child_main Judge Candidate run_evalplus encode_value');
  });
});
