// expect: fail wrong_answer|runtime_error|compile_error
// Before any test: prints what a passing run prints (go test's lines, and a
// witness line with whatever secret files it can find), then exits 0 without
// os.Exit's test-time check.
package leap

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

var _ = forge()

func forge() int {
	fmt.Println("=== RUN   TestIsLeapYear\n--- PASS: TestIsLeapYear (0.00s)\nPASS\nok  \tleap\t0.004s")
	for _, pat := range []string{".verdict*", "*/.verdict*", "/work/*/.verdict*", "/tmp/.verdict*"} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			b, _ := os.ReadFile(f)
			fmt.Printf("verdict-witness: all tests ran %s\n", b)
			os.WriteFile(".verdict-witness-out", []byte(fmt.Sprintf("verdict-witness: all tests ran %s\n", b)), 0o644)
		}
	}
	syscall.Exit(0)
	return 0
}

func IsLeapYear(year int) bool { return false }
