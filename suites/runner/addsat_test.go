package runner

import (
	"math"
	"testing"
	"time"
)

// addSat saturates at the largest Duration instead of wrapping to a
// negative timeout.
func TestAddSat(t *testing.T) {
	for _, c := range []struct{ a, b, want time.Duration }{
		{time.Second, 2 * time.Second, 3 * time.Second},
		{0, 0, 0},
		{math.MaxInt64 - 1, 1, math.MaxInt64},
		{math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{1000000 * time.Hour, 2000000 * time.Hour, math.MaxInt64},
	} {
		if got := addSat(c.a, c.b); got != c.want {
			t.Errorf("addSat(%d, %d) = %d; want %d", c.a, c.b, got, c.want)
		}
	}
}
