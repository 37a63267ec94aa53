// Proof that `go test` really ran the tests. Its "ok" line can be earned
// without running any: a solution whose init() calls os.Exit(0) ends the test
// binary with status 0 before the first test (aider's harness passes it).
// Printed lines prove nothing either, since the solution can print anything.
//
// So a trusted TestMain is added to the test package: it writes a per-run
// secret to a file once m.Run() has returned 0, and the runner prints that file
// after `go test` (a passing package's output is hidden in package list mode).
// The secret reaches the binary as a file that a package of ours reads and
// deletes in its init(). Go initializes imports before the importing package,
// so this happens before any solution code (var initializers, init()) runs.
// Forging the line takes reading our package's memory by name (go:linkname).
//
// Exercises whose own tests define TestMain get no witness (two TestMains do
// not compile); none of the real benchmark's do.

export const WITNESS_SECRET_FILE = '.verdict-witness';
/** what the TestMain writes; sandboxes/polyglot-go/run-tests prints it */
export const WITNESS_OUT_FILE = '.verdict-witness-out';
const PKG_DIR = 'verdictwitness';

export const witnessLine = (secret: string) => `verdict-witness: all tests ran ${secret}`;
/** `go test ./...` lists our package too: not the candidate's business */
export const WITNESS_NOISE = new RegExp(`^\\?\\s+\\S+/${PKG_DIR}\\s+\\[no test files\\]\\n?`, 'gm');

/**
 * Trusted files to lay over the exercise (paths relative to it), or undefined
 * when the exercise's tests cannot take our TestMain.
 */
export function goWitnessFiles(exercise: Record<string, string>, testFiles: string[], secret: string): Record<string, string> | undefined {
  const module = /^module\s+(\S+)/m.exec(exercise['go.mod'] ?? '')?.[1];
  const tests = testFiles.filter((t) => t.endsWith('_test.go') && !t.includes('/')).map((t) => exercise[t] ?? '');
  // always the package itself, never an external _test one: only then is our
  // package an import of the solution's, initialized before it
  const pkg = tests.map((src) => /^package\s+(\w+?)(?:_test)?\s*$/m.exec(src)?.[1]).find((p) => p !== undefined);
  if (!module || !pkg || tests.some((src) => /^func\s+TestMain\s*\(/m.test(src))) return undefined;
  return {
    [WITNESS_SECRET_FILE]: secret,
    [`${PKG_DIR}/${PKG_DIR}.go`]: `// Package ${PKG_DIR} is verdict's: imported by the test binary only.
package ${PKG_DIR}

import "os"

var secret string

func init() {
	b, _ := os.ReadFile(${JSON.stringify(WITNESS_SECRET_FILE)})
	secret = string(b)
	os.Remove(${JSON.stringify(WITNESS_SECRET_FILE)})
}

// Done records that every test ran and passed.
func Done() {
	if secret != "" {
		os.WriteFile(${JSON.stringify(WITNESS_OUT_FILE)}, []byte(${JSON.stringify(witnessLine(''))}+secret+"\\n"), 0o600)
	}
}
`,
    'zz_verdict_main_test.go': `package ${pkg}

import (
	"flag"
	"os"
	"testing"

	${JSON.stringify(`${module}/${PKG_DIR}`)}
)

// the value of a testing flag ("" when it does not exist)
func verdictFlag(name string) string {
	if f := flag.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	// every test selected, none skipped by a flag the solution could have set (flag.Set in an init())
	all := verdictFlag("test.run") == "" && verdictFlag("test.skip") == "" && verdictFlag("test.list") == "" &&
		verdictFlag("test.short") != "true"
	if code == 0 && all {
		${PKG_DIR}.Done()
	}
	os.Exit(code)
}
`,
  };
}
