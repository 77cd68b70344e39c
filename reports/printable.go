package reports

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes untrusted text (a DUT's or its control adapter's
// output, a field of a report or a finding read from a file) safe to
// print on one line of a terminal, or in a YAML comment: every rune that
// does not print (the C0 and C1 control characters such as ESC, BEL, CR
// and LF, DEL, the line and paragraph separators, bidirectional and other
// format characters, spaces other than U+0020) and every byte that is
// not UTF-8 is written as a Go escape (\x1b, \x85, \u2028, \xff); the
// rest is kept as it is.
func Printable(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !printable(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case printable(r, n):
			b.WriteString(s[i : i+n])
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r <= 0xFF:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xFFFF:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += n
	}
	return b.String()
}

// printable says the rune r, n bytes of its text, is kept by Printable.
func printable(r rune, n int) bool {
	if r == utf8.RuneError && n <= 1 {
		return false
	}
	return r == ' ' || unicode.IsPrint(r)
}
