// expect: fail wrong_answer|compile_error|runtime_error
// Rewrites the test file beside it at init; the tests already compiled into this binary still run and fail.
package leap

import "os"

func init() {
	os.WriteFile("leap_test.go", []byte("package leap\n"), 0o644)
	os.WriteFile("cases_test.go", []byte("package leap\n"), 0o644)
}

func IsLeapYear(year int) bool { return false }
