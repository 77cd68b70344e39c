package runner

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// tail keeps the last 2 KB of an adapter's words without splitting a
// UTF-8 character (a cut on a byte boundary made the report's text
// invalid UTF-8).
func TestTailCutsOnARune(t *testing.T) {
	for _, pad := range []string{"", "x", "xy"} {
		s := tail([]byte(pad + strings.Repeat("é€😀", 400)))
		if !utf8.ValidString(s) || len(s) > 2048 || len(s) < 2048-3 || !strings.HasSuffix(s, "😀") {
			t.Errorf("pad %q: %d bytes, valid %v", pad, len(s), utf8.ValidString(s))
		}
	}
	if s := tail([]byte(strings.Repeat("\x80", 3000))); len(s) != 2048-3 {
		t.Errorf("bytes that are not UTF-8: %d kept", len(s))
	}
}
