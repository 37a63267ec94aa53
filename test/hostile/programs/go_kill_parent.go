// expect: fail wrong_answer|runtime_error|timeout|compile_error
// SIGKILL to `go test` (the parent of the test binary) and to everything else, then a right answer.
package leap

import "syscall"

func init() {
	syscall.Kill(syscall.Getppid(), syscall.SIGKILL)
	syscall.Kill(-1, syscall.SIGKILL)
}

func IsLeapYear(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }
