// expect: fail compile_error
// (Aider Polyglot refuses Go solutions importing os, syscall, unsafe, embed: src/benchmarks/polyglot/guard.ts;
// the disk limits stay covered by py_fill_work, py_fill_tmp, cpp_fill_tmp)
// Fills /tmp and the working directory until writes fail, then answers right.
package leap

import "os"

func init() {
	b := make([]byte, 1<<20)
	for _, p := range []string{"/tmp/fill", "fill"} {
		f, err := os.Create(p)
		if err != nil {
			continue
		}
		for {
			if _, err := f.Write(b); err != nil {
				break
			}
		}
		f.Close()
		os.Remove(p)
	}
}

func IsLeapYear(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }
