package warm

import (
	"reflect"
	"testing"
)

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 || !reflect.DeepEqual([]int{1}, []int{1}) {
		t.Fatal("add")
	}
}

func BenchmarkAdd(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Add(i, i)
	}
}
