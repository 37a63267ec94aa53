import fs from 'node:fs';
import path from 'node:path';
import type { Verdict } from '../../src/schemas.js';
import type { Reason } from '../../src/domain.js';

// Hostile programs as data: one file per attack under programs/, each with its
// expected verdict in a header comment:
//   expect: pass                       (the attack must fail silently: the program
//                                       answers right only when it was blocked)
//   expect: fail timeout|runtime_error (the verdict must be fail with one of these reasons)
//   expect: pass|fail memory_limit     (either is right)
//   after: all                         (run once every other program has run)
// Python, C++ and Java programs solve one inline stdin problem on the judge
// core: read two integers, print their sum (the second test's expected output,
// 1002345, is what leak-hunting programs search for). Go programs are the
// leap.go of the Aider Polyglot fixture go/leap, graded by `go test`.

export const PROGRAMS_DIR = path.join(__dirname, 'programs');

export type Language = 'python3' | 'cpp17' | 'java' | 'go';
const LANG: Record<string, Language> = { '.py': 'python3', '.cpp': 'cpp17', '.java': 'java', '.go': 'go' };

export interface HostileProgram {
  name: string;
  language: Language;
  source: string;
  statuses: Array<'pass' | 'fail'>;
  reasons: Reason[];
  after: boolean;
}

export function loadPrograms(dir = PROGRAMS_DIR): HostileProgram[] {
  return fs
    .readdirSync(dir)
    .sort()
    .map((file) => {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      const language = LANG[path.extname(file)];
      if (!language) throw new Error(`${file}: unknown language`);
      const m = /^(?:#|\/\/) expect: (\S+)(?: (\S+))?$/m.exec(source);
      if (!m) throw new Error(`${file}: no "expect:" header`);
      const statuses = m[1]!.split('|') as HostileProgram['statuses'];
      if (!statuses.every((s) => s === 'pass' || s === 'fail')) throw new Error(`${file}: bad status ${m[1]}`);
      const reasons = (m[2]?.split('|') ?? []) as Reason[];
      if (statuses.includes('fail') && reasons.length === 0) throw new Error(`${file}: a fail needs its reasons`);
      return { name: file, language, source, statuses, reasons, after: /^(?:#|\/\/) after: all$/m.test(source) };
    });
}

export const SUM_CASES = [
  { stdin: '1 2\n', stdout: '3\n' },
  { stdin: '1000000 2345\n', stdout: '1002345\n' },
];

/** The inline problem every hostile program is graded against. */
export function sumProblem(language: Exclude<Language, 'go'>, timeoutS: number) {
  return { tests: { type: 'stdio', language, cases: SUM_CASES, comparator: 'token' }, timeout_s: timeoutS, memory_mb: 256 };
}

export const HONEST: Record<Language, string> = {
  python3: 'a, b = map(int, input().split())\nprint(a + b)\n',
  cpp17: '#include <iostream>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n',
  java: 'import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }\n',
  go: 'package leap\n\nfunc IsLeapYear(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }\n',
};

/** Whether a verdict is what the program's header expects. */
export function matches(p: HostileProgram, v: Verdict): boolean {
  if (v.status === 'pass') return p.statuses.includes('pass');
  if (v.status === 'fail') return p.statuses.includes('fail') && v.reason !== null && p.reasons.includes(v.reason);
  return false;
}
