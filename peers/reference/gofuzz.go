//go:build gofuzz

package reference

import "fmt"

// Fuzz is the go-fuzz entry point for the session state machine, beside
// the native FuzzSession (fsm_fuzz_test.go): the same input layout, table
// and run (fuzzdriver.go). One session of the speaker runs over an
// in-memory connection with half-close, timers of a few milliseconds.
//
// It panics (a go-fuzz crasher) when the session does not end (or, left
// to its timers, neither end nor reach Established) within 2 s; when
// Close does not return within 3 s or leaves a session tracked; when
// what the speaker sends does not frame or decode, does not begin with
// its HANDSHAKE, holds a routing message on a session never Established,
// more than one ALERT or anything after one, or an ALERT other than the
// one the session recorded as written. It returns 1 for inputs that
// reach Established (go-fuzz favours them), 0 for the others, -1 for
// empty input.
//
// Package reference imports crypto/tls, whose instrumentation go-fuzz
// cannot build: scripts/gofuzz.sh passes the crypto packages to
// go-fuzz-build -preserve, so they are linked uninstrumented. The seed
// corpus is testdata/gofuzz/session.
func Fuzz(data []byte) int {
	in, ok := parseFuzzInput(data)
	if !ok {
		return -1
	}
	fatalf := func(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
	s, got := driveFuzzSession(in.config(), in, fatalf)
	problems, established := sentProblems(s, got)
	if len(problems) > 0 {
		panic(problems[0])
	}
	if established {
		return 1
	}
	return 0
}
