package defaults

import (
	"testing"
	"time"
)

func TestPositive(t *testing.T) {
	for _, tc := range []struct{ v, want time.Duration }{{0, 5}, {-1, 5}, {3, 3}} {
		v := tc.v
		Positive(&v, 5)
		if v != tc.want {
			t.Errorf("Positive(%d, 5) = %d, want %d", tc.v, v, tc.want)
		}
	}
}
