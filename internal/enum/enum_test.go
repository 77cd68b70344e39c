package enum

import "testing"

type color uint8

var colorNames = []string{"", "red", "green"}

func TestName(t *testing.T) {
	for _, c := range []struct {
		v    color
		want string
	}{{0, "COLOR_0"}, {1, "red"}, {2, "green"}, {3, "COLOR_3"}, {255, "COLOR_255"}} {
		if got := Name(colorNames, c.v, "COLOR_%d"); got != c.want {
			t.Errorf("Name(%d) = %q, want %q", c.v, got, c.want)
		}
	}
	if _, ok := Lookup(colorNames, color(0)); ok {
		t.Error("Lookup(0) found the empty entry")
	}
	if _, ok := Lookup(colorNames, -1); ok {
		t.Error("Lookup(-1) found a name")
	}
}

func TestValue(t *testing.T) {
	if v, ok := Value[color](colorNames, "green"); !ok || v != 2 {
		t.Errorf("Value(green) = %d, %v", v, ok)
	}
	for _, s := range []string{"", "blue", "Red"} {
		if v, ok := Value[color](colorNames, s); ok {
			t.Errorf("Value(%q) = %d, want none", s, v)
		}
	}
}

func TestParse(t *testing.T) {
	if v, err := Parse[color](colorNames, "color", "green"); err != nil || v != 2 {
		t.Errorf("Parse(green) = %d, %v", v, err)
	}
	if _, err := Parse[color](colorNames, "color", "Red"); err == nil || err.Error() != `color "Red": want red or green` {
		t.Errorf("Parse(Red): %v", err)
	}
	if v, err := ParseFold[color](colorNames, "color", "Red"); err != nil || v != 1 {
		t.Errorf("ParseFold(Red) = %d, %v", v, err)
	}
	if _, err := ParseFold[color](colorNames, "color", ""); err == nil {
		t.Error("ParseFold(\"\") found the empty entry")
	}
}
