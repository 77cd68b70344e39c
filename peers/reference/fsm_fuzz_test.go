package reference

import (
	"bytes"
	"encoding/hex"
	"runtime"
	"strings"
	"testing"
	"time"
)

// FuzzSession drives one session of the reference speaker with a
// sequence of messages derived from the fuzz input: valid messages from a
// small table, the same with one byte changed, and raw chunks. The
// session runs over an in-memory connection with half-close (two
// net.Pipes) and timers of a few milliseconds. It asserts: no panic; the
// session ends (or, when the input leaves it to its timers, ends or is
// Established) within a deadline; everything the speaker sends frames and
// decodes, its HANDSHAKE first, at most one ALERT and nothing after it,
// the ALERT the session recorded as written, and no routing message
// unless the session was Established; Close returns and leaves none of
// the speaker's goroutines behind.
//
// The input layout, the table, the run and the rules on what the speaker
// sends are fuzzdriver.go's, shared with the go-fuzz Fuzz (gofuzz.go).
//
//	go test -run xxx -fuzz FuzzSession -fuzztime 30s ./peers/reference/
func FuzzSession(f *testing.F) {
	hs, hello, upd, ref := byte(0), byte(1), byte(6), byte(4)
	f.Add([]byte{1, 0, hs, 0, hello, 0, upd, 0, ref})
	f.Add([]byte{0x11, 0, hs, 0, hello, 0, upd, 0, 7})
	f.Add([]byte{0x19, 0, hs, 0, hello, 0, 11, 0, 12, 0, 13})
	f.Add([]byte{0, 0, hs, 0, hello})
	f.Add([]byte{1, 0, hello})
	f.Add([]byte{1, 0, hs, 3, upd, 30, 0xFF})
	f.Add([]byte{1, 2, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})
	f.Add([]byte{9, 0, hs, 0, hello, 3, 2, 18, 0x80})
	f.Add([]byte{1, 0, hs, 0, hello, 0, 15, 0, upd})
	f.Fuzz(func(t *testing.T, data []byte) { fuzzSession(t, data) })
}

// speakerGoroutines counts the goroutines running the speaker's code
// (not this file's).
func speakerGoroutines() (int, string) {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	var dump strings.Builder
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ompconform/peers/reference") && !strings.Contains(g, "fsm_fuzz_test.go") && !strings.Contains(g, "fuzzdriver.go") {
			n++
			dump.WriteString(g + "\n\n")
		}
	}
	return n, dump.String()
}

func fuzzSession(t *testing.T, data []byte) {
	in, ok := parseFuzzInput(data)
	if !ok {
		return
	}
	before, _ := speakerGoroutines()
	fatalf := func(format string, args ...any) {
		_, dump := speakerGoroutines()
		t.Fatalf(format+"\nthe speaker's goroutines:\n%s", append(args, dump)...)
	}
	s, got := driveFuzzSession(in.config(), in, fatalf)
	for end := time.Now().Add(time.Second); ; {
		n, dump := speakerGoroutines()
		if n <= before {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("%d of the speaker's goroutines left after Close (%d before):\n%s", n, before, dump)
		}
		time.Sleep(time.Millisecond)
	}
	checkSent(t, s, got, in.chunks)
}

// checkSent checks what the speaker sent (sentProblems) and logs it.
func checkSent(t *testing.T, s *session, got *received, chunks [][]byte) {
	problems, est := sentProblems(s, got)
	for _, p := range problems {
		t.Error(p)
	}
	s.mu.Lock()
	out := s.alertOut
	s.mu.Unlock()
	types := make([]string, len(got.msgs))
	for i, m := range got.msgs {
		types[i] = m.Type().String()
	}
	t.Logf("%d chunks; established: %v; sent: %s; last ALERT: %+v", len(chunks), est, strings.Join(types, " "), out)
	if t.Failed() {
		var b bytes.Buffer
		for _, c := range chunks {
			b.WriteString("\n  ")
			b.WriteString(hex.EncodeToString(c))
		}
		t.Logf("input chunks:%s", b.String())
	}
}
