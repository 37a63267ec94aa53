// expect: fail wrong_answer|runtime_error|compile_error
// Exits 0 from inside the first test, past os.Exit's test-time check (Go's own
// guard against os.Exit(0) in tests catches only os.Exit).
package leap

import "syscall"

func IsLeapYear(year int) bool {
	syscall.Exit(0)
	return false
}
