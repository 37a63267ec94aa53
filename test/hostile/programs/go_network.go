// expect: pass
// TCP, UDP and DNS from the code under test: answers right only if all of them fail.
package leap

import (
	"net"
	"time"
)

var leaked = func() bool {
	for _, a := range []string{"1.1.1.1:53", "8.8.8.8:53", "172.17.0.1:2375"} {
		if c, err := net.DialTimeout("tcp", a, 500*time.Millisecond); err == nil {
			c.Close()
			return true
		}
	}
	if c, err := net.Dial("udp", "8.8.8.8:53"); err == nil {
		_, werr := c.Write([]byte("x"))
		c.Close()
		if werr == nil {
			return true
		}
	}
	if _, err := net.LookupHost("example.com"); err == nil {
		return true
	}
	return false
}()

func IsLeapYear(year int) bool {
	if leaked {
		return !(year%4 == 0 && (year%100 != 0 || year%400 == 0))
	}
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}
