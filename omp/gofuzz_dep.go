//go:build gofuzz

package omp

// go-fuzz-build links go-fuzz-dep into the instrumented binary; importing
// it here, under the same build tag, keeps it in go.mod and go.sum
// (go mod tidy considers every build tag) so the build works offline.
import _ "github.com/dvyukov/go-fuzz/go-fuzz-dep"
