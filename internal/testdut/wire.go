package testdut

import (
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// Encode is m's wire bytes; a message that does not encode fails the test.
func Encode(t testing.TB, m omp.Message) []byte {
	t.Helper()
	b, err := omp.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
