// expect: fail wrong_answer|runtime_error|compile_error
// os.Exit(0) before any test runs: `go test` must not read that as a pass.
package leap

import "os"

func init() { os.Exit(0) }

func IsLeapYear(year int) bool { return false }
