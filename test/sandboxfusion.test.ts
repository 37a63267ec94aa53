import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImages } from '../src/sandbox/images/build.js';
import { testApp } from './helpers/app.js';
import { dockerAvailable, SANDBOXES } from './helpers/docker.js';
import { ti } from './helpers/instance.js';

// SandboxFusion's /run_code as its real clients call it, in every language
// verdict has a toolchain for. The requests are the exact bodies the clients
// send (written from their public behaviour), and each answer is read the way
// that client reads it:
//  - verl's sandbox_fusion reward (verl/utils/reward_score/sandbox_fusion/utils.py)
//    posts {compile_timeout, run_timeout, code, stdin, language, files: {},
//    fetch_files: []} (newer releases add memory_limit_MB) and scores each case
//    True/False or -1 (API/sandbox error), -2 runtime error, -3 timeout,
//    -4 compile error / compile timeout;
//  - SandboxFusion's SDK (sandbox_fusion.run_code) posts RunCodeRequest.dict():
//    {compile_timeout, run_timeout, code, stdin: null, language, files,
//    fetch_files}, raises (and retries) on SandboxError, and
//    summary_run_code_result maps the answer to a summary.

const hasDocker = await dockerAvailable();

interface CommandRunResult {
  status: 'Finished' | 'Error' | 'TimeLimitExceeded';
  execution_time: number | null;
  return_code: number | null;
  stdout: string | null;
  stderr: string | null;
}
interface RunCodeResponse {
  status: 'Success' | 'Failed' | 'SandboxError';
  message: string;
  compile_result: CommandRunResult | null;
  run_result: CommandRunResult | null;
  files: Record<string, string>;
}

/** verl's per-case score of a /run_code answer (its _process_single_case). */
function verlScore(httpStatus: number, r: RunCodeResponse, expected: string): boolean | number {
  if (httpStatus !== 200) return -1; // raise_for_status → api_error, no retry except 504
  if (r.status === 'SandboxError') return -1;
  const c = r.compile_result;
  const run = r.run_result;
  if (r.status === 'Failed') {
    if (c && (c.status === 'Error' || c.status === 'TimeLimitExceeded' || (c.status === 'Finished' && c.return_code !== 0))) return -4;
    if (!run) return -1;
    if (run.status === 'TimeLimitExceeded') return -3;
    if (run.status === 'Error' || (run.status === 'Finished' && run.return_code !== 0)) return -2;
    return -1;
  }
  if (r.status === 'Success' && run && run.status === 'Finished') {
    return (run.stdout ?? '').replace(/\n+$/, '') === expected.replace(/\n+$/, '');
  }
  return -1;
}

/** SandboxFusion SDK's summary_run_code_result with the default mapping (throws where the SDK throws). */
function sdkSummary(r: RunCodeResponse): string {
  if (r.status === 'SandboxError') throw new Error(`Sandbox responded with error: ${r.message}`);
  if (!r.compile_result && !r.run_result) return r.status;
  if (!r.run_result) {
    if (r.compile_result!.status === 'TimeLimitExceeded') return 'CompileTimeout';
    if (r.compile_result!.return_code === null) throw new Error('invalid sandbox result: no return code');
    if (r.compile_result!.return_code !== 0) return 'CompileFailed';
    throw new Error('invalid sandbox result: compiled successfully with no run result');
  }
  if (r.run_result.status === 'TimeLimitExceeded') return 'RunTimeout';
  if (r.run_result.return_code === null) throw new Error('invalid sandbox result: no return code');
  return r.run_result.return_code !== 0 ? 'RunFailed' : 'Success';
}

const SUM: Record<string, string> = {
  python: 'a, b = map(int, input().split())\nprint(a + b)\n',
  bash: 'read a b\necho $((a + b))\n',
  cpp: '#include <bits/stdc++.h>\nint main(){long long a,b;std::cin>>a>>b;std::cout<<a+b<<"\\n";}\n',
  c: '#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);return 0;}\n',
  java: 'import java.util.*;\npublic class Main { public static void main(String[] x){ Scanner s=new Scanner(System.in); long a=s.nextLong(), b=s.nextLong(); assert a >= 0; System.out.println(a+b);} }\n',
  go: 'package main\nimport "fmt"\nfunc main(){ var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }\n',
  rust: 'use std::io::Read;\nfn main(){ let mut s=String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!("{}", v[0]+v[1]); }\n',
  nodejs: 'const [a, b] = require("fs").readFileSync(0, "utf8").trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n',
  // types, an interface, an enum and a parameter property: the type stripper's work
  typescript:
    'import * as fs from "fs";\ninterface Pair { a: number; b: number }\nenum Base { Ten = 10 }\nclass Adder { constructor(private p: Pair) {} sum(): number { return this.p.a + this.p.b; } }\n' +
    'const [a, b]: number[] = fs.readFileSync(0, "utf8").trim().split(/\\s+/).map((x: string) => parseInt(x, Base.Ten));\nconsole.log(new Adder({ a, b } as Pair).sum());\n',
};

describe.skipIf(!hasDocker)('SandboxFusion /run_code drop-in', () => {
  let app: Awaited<ReturnType<typeof testApp>>;

  beforeAll(async () => {
    await ensureImages(new Docker(), SANDBOXES, ['python', 'judge', 'polyglot-python', 'polyglot-go', 'polyglot-java', 'polyglot-js', 'polyglot-rust']);
    app = await testApp([], { instance: ti('test-sf'), concurrency: 2, queue: 64 });
  }, 1_800_000);
  afterAll(async () => {
    await app?.close();
  });

  const post = async (payload: Record<string, unknown>) => {
    const r = await app.server.inject({ method: 'POST', url: '/run_code', payload, headers: { 'content-type': 'application/json' } });
    return { http: r.statusCode, body: r.json() as RunCodeResponse };
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** verl's exact body for one test case, and its retries: a 504 only, at most 3 attempts, 1 s then 2 s apart */
  // generous: compilers on a loaded 2-core CI machine
  const verl = async (language: string, code: string, stdin: string, timeout = 120) => {
    for (let attempt = 1; ; attempt++) {
      const r = await post({ compile_timeout: timeout, run_timeout: timeout, code, stdin, language, files: {}, fetch_files: [] });
      if (r.http !== 504 || attempt === 3) return r;
      await sleep(1000 * attempt);
    }
  };
  /** the SDK's RunCodeRequest(...).dict(), and its retries: any non-200 or SandboxError, 5 attempts, exponential backoff */
  const sdk = async (language: string, code: string, over: Record<string, unknown> = {}) => {
    for (let attempt = 1; ; attempt++) {
      const r = await post({ compile_timeout: 120, run_timeout: 120, code, stdin: null, language, files: {}, fetch_files: [], ...over });
      if ((r.http === 200 && r.body.status !== 'SandboxError') || attempt === 5) return r;
      await sleep(1000 * 2 ** (attempt - 1));
    }
  };

  it.each(Object.keys(SUM))('%s: verl scores a correct program True and a wrong answer False', async (lang) => {
    const ok = await verl(lang, SUM[lang]!, '2 3\n');
    expect(ok.http, JSON.stringify(ok.body)).toBe(200);
    expect(verlScore(ok.http, ok.body, '5\n'), JSON.stringify(ok.body)).toBe(true);
    const compiled = ['cpp', 'c', 'java', 'go', 'rust'].includes(lang);
    if (compiled) expect(ok.body.compile_result).toMatchObject({ status: 'Finished', return_code: 0 });
    else expect(ok.body.compile_result).toBeNull();
    expect(verlScore(ok.http, ok.body, '6\n')).toBe(false);
  }, 300_000);

  it('compiled languages: a compile error is verl -4 and the SDK CompileFailed, with the compiler output', async () => {
    for (const lang of ['cpp', 'c', 'java', 'go', 'rust']) {
      const r = await verl(lang, 'this is not a program {', '');
      expect(r.body.status, lang).toBe('Failed');
      expect(r.body.run_result, lang).toBeNull();
      expect(r.body.compile_result!.return_code, lang).not.toBe(0);
      expect((r.body.compile_result!.stderr ?? '') + (r.body.compile_result!.stdout ?? ''), lang).toMatch(/main\.\w+|Main\.java/);
      expect(verlScore(r.http, r.body, ''), lang).toBe(-4);
      expect(sdkSummary(r.body), lang).toBe('CompileFailed');
    }
  }, 300_000);

  it('honours compile_timeout (compile TLE) apart from run_timeout', async () => {
    const r = await sdk('cpp', SUM.cpp!, { compile_timeout: 0.05, run_timeout: 10 });
    expect(r.body.status).toBe('Failed');
    expect(r.body.compile_result!.status).toBe('TimeLimitExceeded');
    expect(r.body.run_result).toBeNull();
    expect(sdkSummary(r.body)).toBe('CompileTimeout');
    expect(verlScore(r.http, r.body, '')).toBe(-4);
    // a long compile budget with a short run budget: the loop times out in the run
    const slow = await sdk('cpp', 'int main(){ volatile unsigned long x = 0; for(;;) x++; }\n', { compile_timeout: 60, run_timeout: 1 });
    expect(slow.body.compile_result!.status).toBe('Finished');
    expect(slow.body.run_result!.status).toBe('TimeLimitExceeded');
    expect(sdkSummary(slow.body)).toBe('RunTimeout');
    expect(verlScore(slow.http, slow.body, '')).toBe(-3);
  }, 300_000);

  it('runs the test modes: pytest, go_test, junit, jest (pass and fail)', async () => {
    const cases: Array<[string, string, string]> = [
      ['pytest', 'def test_add():\n    assert 1 + 1 == 2\n', 'def test_add():\n    assert 1 + 1 == 3\n'],
      ['go_test', 'package main\nimport "testing"\nfunc TestAdd(t *testing.T){ if 1+1 != 2 { t.Fatal("math") } }\n', 'package main\nimport "testing"\nfunc TestAdd(t *testing.T){ if 1+1 != 3 { t.Fatal("math") } }\n'],
      [
        'junit',
        'import org.junit.jupiter.api.Test;\nimport static org.junit.jupiter.api.Assertions.*;\npublic class AddTest { @Test void add(){ assertEquals(2, 1 + 1); } }\n',
        'import org.junit.jupiter.api.Test;\nimport static org.junit.jupiter.api.Assertions.*;\npublic class AddTest { @Test void add(){ assertEquals(3, 1 + 1); } }\n',
      ],
      ['jest', 'test("add", () => { expect(1 + 1).toBe(2); });\n', 'test("add", () => { expect(1 + 1).toBe(3); });\n'],
      // SandboxFusion's jest files are TypeScript, importing the code under test
      ['jest', 'import { add } from "./sol";\ntest("add", () => { const x: number = add(1, 1); expect(x).toBe(2); });\n', 'import { add } from "./sol";\ntest("add", () => { expect(add(1, 1) as number).toBe(3); });\n'],
    ];
    const sol = { 'sol.ts': Buffer.from('export function add(a: number, b: number): number { return a + b; }\n').toString('base64') };
    for (const [lang, pass, fail] of cases) {
      const files = pass.includes('./sol') ? { files: sol } : {};
      const good = await sdk(lang, pass, files);
      expect(sdkSummary(good.body), `${lang}: ${JSON.stringify(good.body)}`).toBe('Success');
      const bad = await sdk(lang, fail, files);
      expect(bad.body.status, lang).toBe('Failed');
      expect(['RunFailed', 'CompileFailed'], `${lang}: ${JSON.stringify(bad.body)}`).toContain(sdkSummary(bad.body));
    }
    // AutoEval's jest mode fetches the aggregated report
    const rep = await sdk('jest', 'test("add", () => { expect(1 + 1).toBe(2); });\n', { fetch_files: ['jest-report.json'] });
    const report = JSON.parse(Buffer.from(rep.body.files['jest-report.json']!, 'base64').toString('utf8')) as { numPassedTests: number };
    expect(report.numPassedTests).toBe(1);
  }, 600_000);

  it('memory_limit_MB is exact: 300 MB fails a 400 MB allocation and allows a 200 MB one', async () => {
    const py = (mb: number) => `b = bytearray(${mb} * 1024 * 1024)\nprint(len(b))\n`;
    const cpp = (mb: number) =>
      `#include <cstdio>\n#include <cstdlib>\n#include <cstring>\nint main(){ size_t n=(size_t)${mb}<<20; char*p=(char*)malloc(n); if(!p){puts("no");return 1;} memset(p,1,n); printf("%zu\\n", n); }\n`;
    const go = (mb: number) => `package main\nimport "fmt"\nfunc main(){ b := make([]byte, ${mb}<<20); for i := range b { b[i] = 1 }; fmt.Println(len(b)) }\n`;
    const node = (mb: number) => `const b = Buffer.alloc(${mb} * 1024 * 1024, 1);\nconsole.log(b.length);\n`;
    const java = (mb: number) => `public class Main { public static void main(String[] a){ byte[] b = new byte[${mb} << 20]; System.out.println(b.length); } }\n`;
    for (const [lang, prog] of [['python', py], ['cpp', cpp], ['go', go], ['nodejs', node]] as const) {
      const big = await sdk(lang, prog(400), { memory_limit_MB: 300 });
      expect(big.body.status, `${lang}: ${JSON.stringify(big.body)}`).toBe('Failed');
      expect(big.body.run_result!.return_code, lang).not.toBe(0);
      const small = await sdk(lang, prog(150), { memory_limit_MB: 300 });
      expect(small.body.status, `${lang}: ${JSON.stringify(small.body)}`).toBe('Success');
    }
    // the JVM: its heap is the limit
    const jbig = await sdk('java', java(400), { memory_limit_MB: 300 });
    expect(jbig.body.status).toBe('Failed');
    expect(jbig.body.run_result!.stderr).toMatch(/OutOfMemoryError/);
    const jsmall = await sdk('java', java(100), { memory_limit_MB: 300 });
    expect(jsmall.body.status, JSON.stringify(jsmall.body)).toBe('Success');
  }, 600_000);

  it('fetch_files: relative and absolute paths come back under the keys as given; files may be absolute under /work', async () => {
    const r = await sdk(
      'python',
      'import os\nprint(open("/work/in/data.txt").read().upper(), end="")\nopen("out.txt","w").write("a")\nopen("/tmp/t.txt","w").write("b")\nos.symlink("/opt/verdict/agent.py", "/tmp/link")\n',
      {
        files: { '/work/in/data.txt': Buffer.from('hi').toString('base64') },
        fetch_files: ['out.txt', '/work/out.txt', '/tmp/t.txt', '/tmp/link', 'missing.txt'],
      },
    );
    expect(r.body.status, JSON.stringify(r.body)).toBe('Success');
    expect(r.body.run_result!.stdout).toBe('HI');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    // a symlink is not followed, a missing file is left out (as SandboxFusion does)
    expect(r.body.files).toEqual({ 'out.txt': b64('a'), '/work/out.txt': b64('a'), '/tmp/t.txt': b64('b') });
    const outside = await app.server.inject({ method: 'POST', url: '/run_code', payload: { code: 'print(1)', language: 'python', files: { '/etc/x': 'eA==' } } });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().field).toBe('files');
  }, 120_000);

  it('stdout beyond the cap is marked as truncated (so it can never equal an expected output)', async () => {
    const r = await verl('python', 'import sys\nsys.stdout.write("7\\n" + "x" * (9 << 20))\n', '');
    expect(r.body.status).toBe('Success');
    const out = r.body.run_result!.stdout!;
    expect(out.length).toBeLessThan((8 << 20) + 200);
    expect(out).toMatch(/\[verdict: output truncated: only the first 8388608 bytes are kept\]\n$/);
    expect(verlScore(r.http, r.body, '7\n' + 'x'.repeat((8 << 20) - 2))).toBe(false);
  }, 120_000);

  it('/submit: CommonOJ and AutoEval rows sent as the SDK sends SubmitRequest.dict(), read as its EvalResult', async () => {
    const config = (over: Record<string, unknown>) => ({
      dataset_type: null, language: null, locale: null, is_fewshot: null, compile_timeout: null, run_timeout: null,
      custom_extract_logic: null, provided_data: null, extra: {}, ...over,
    });
    const submit = async (body: Record<string, unknown>) => {
      const r = await app.server.inject({ method: 'POST', url: '/submit', payload: body });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { id: unknown; accepted: boolean; extracted_code: string; tests: Array<{ passed: boolean; exec_info: RunCodeResponse }> };
    };
    // CommonOJ: a C++ reply; output compared case-insensitively, line by line
    const oj = { id: 'cc1', content: 'Is a+b even?', test: [{ input: { stdin: '1 3\n' }, output: { stdout: 'YES\n' } }, { input: { stdin: '1 2\n' }, output: { stdout: 'NO' } }] };
    const cpp = 'Here you go:\n```cpp\n#include <cstdio>\nint main(){int a,b;scanf("%d %d",&a,&b);puts((a+b)%2?"no":"yes");}\n```\n';
    const good = await submit({ dataset: 'code_contests_test', id: 'cc1', completion: cpp, config: config({ language: 'cpp', provided_data: oj, compile_timeout: 120 }) });
    expect(good.accepted, JSON.stringify(good)).toBe(true);
    expect(good.id).toBe('cc1');
    expect(good.extracted_code).toMatch(/^#include <cstdio>/);
    expect(good.tests.map((t) => t.passed)).toEqual([true, true]);
    expect(good.tests[0]!.exec_info.compile_result!.status).toBe('Finished');
    const bad = await submit({ dataset: 'code_contests_test', id: 'cc1', completion: cpp.replace('%2?', '%2==0?'), config: config({ language: 'cpp', provided_data: oj, compile_timeout: 120 }) });
    expect(bad.accepted).toBe(false);
    // AutoEval: extracted python + the row's test code, one run
    const row = { id: 5, content: 'add', test: { code: 'assert add(2, 3) == 5' }, labels: { programming_language: 'python' } };
    const ae = await submit({ dataset: 'autoeval_demo', id: 5, completion: '```python\ndef add(a, b):\n    return a + b\n```', config: config({ provided_data: row }) });
    expect(ae.accepted, JSON.stringify(ae)).toBe(true);
    const aeBad = await submit({ dataset: 'autoeval_demo', id: 5, completion: '```python\ndef add(a, b):\n    return a - b\n```', config: config({ provided_data: row }) });
    expect(aeBad.accepted).toBe(false);
    expect(aeBad.tests[0]!.exec_info.run_result!.stderr).toMatch(/AssertionError/);
  }, 600_000);

  it('a language without a toolchain is a 400 naming it (verl: api error, no retry), never SandboxError', async () => {
    const r = await verl('lua', 'print(1)', '');
    expect(r.http).toBe(400);
    const body = r.body as unknown as { field: string; message: string };
    expect(body.field).toBe('language');
    expect(body.message).toMatch(/'lua'/);
    expect(verlScore(r.http, r.body, '1')).toBe(-1);
  });
});
