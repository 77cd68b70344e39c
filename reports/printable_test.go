package reports

import "testing"

// Printable escapes what a terminal would act on (ESC, BEL, CR, LF, C1
// controls, line separators, bidi overrides) and bytes that are not
// UTF-8, and keeps printing text, UTF-8 included.
func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, ünïcödé ✓", "plain text, ünïcödé ✓"},
		{"\x1b[2J\x1b[Hgate: passed\a", `\x1b[2J\x1b[Hgate: passed\x07`},
		{"a\rb\nc\td", `a\x0db\x0ac\x09d`},
		{"\u0085\u2028\u2029\u202e\u00a0", `\x85\u2028\u2029\u202e\xa0`},
		{"bad \xff\xfe utf-8 \xe2\x82", `bad \xff\xfe utf-8 \xe2\x82`},
		{"\x7f\x00", `\x7f\x00`},
		{"\U000E0001", `\U000e0001`},
	} {
		if got := Printable(c.in); got != c.want {
			t.Errorf("Printable(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
