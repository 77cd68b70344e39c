package reports

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// mdEscape makes one table cell of any text: CR (a CommonMark line
// ending), LF and CRLF are spaces, control characters and bytes that are
// not UTF-8 are escaped, pipes and angle brackets cannot make cells or
// HTML.
func TestMdEscape(t *testing.T) {
	got := mdEscape("a\rb\r\nc\nd|<img src=x onerror=alert(1)>\x1b[2J\a\xff\u2028")
	want := `a b c d\|&lt;img src=x onerror=alert(1)&gt;\x1b[2J\x07\xff\u2028`
	if got != want {
		t.Errorf("mdEscape = %q; want %q", got, want)
	}
	if !utf8.ValidString(got) || strings.ContainsAny(got, "\r\n\x1b") {
		t.Errorf("%q", got)
	}
}
