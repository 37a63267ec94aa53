// expect: fail memory_limit|runtime_error|timeout
package leap

var sink [][]byte

func init() {
	for {
		b := make([]byte, 64<<20)
		for i := range b {
			b[i] = 1
		}
		sink = append(sink, b)
	}
}

func IsLeapYear(year int) bool { return false }
