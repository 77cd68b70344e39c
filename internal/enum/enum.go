// Package enum names the values of the enumerated types from one table
// per type: a slice of names indexed by value, "" where a value has no
// name. String methods read it with Name or Lookup, UnmarshalText
// methods with Value, so that the two cannot disagree.
package enum

import (
	"fmt"
	"strings"
)

// Integer is the underlying type of an enumerated type.
type Integer interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64 | ~int
}

// Lookup is the name of v in names, false when v is out of the table or
// its entry is "".
func Lookup[T Integer](names []string, v T) (string, bool) {
	if v < 0 || uint64(v) >= uint64(len(names)) || names[v] == "" {
		return "", false
	}
	return names[v], true
}

// Name is the name of v in names or, for a value without one, fallback
// formatted with v as a number (fallback has one %d verb:
// "OMP_ERR_%d").
func Name[T Integer](names []string, v T, fallback string) string {
	if n, ok := Lookup(names, v); ok {
		return n
	}
	return fmt.Sprintf(fallback, uint64(v))
}

// Value is the value whose name in names is s, false when none is.
func Value[T Integer](names []string, s string) (T, bool) {
	for i, n := range names {
		if n != "" && n == s {
			return T(i), true
		}
	}
	return 0, false
}

// Parse is Value with an error that says what was wanted:
// `level "X": want MUST, SHOULD or INFORMATIONAL`. what names the type.
func Parse[T Integer](names []string, what, s string) (T, error) {
	return parse[T](names, what, s, func(a, b string) bool { return a == b })
}

// ParseFold is Parse ignoring case.
func ParseFold[T Integer](names []string, what, s string) (T, error) {
	return parse[T](names, what, s, strings.EqualFold)
}

// ParseWith is Parse where same(name, s) says whether s spells name.
func ParseWith[T Integer](names []string, what, s string, same func(name, s string) bool) (T, error) {
	return parse[T](names, what, s, same)
}

func parse[T Integer](names []string, what, s string, same func(a, b string) bool) (T, error) {
	var known []string
	for i, n := range names {
		if n == "" {
			continue
		}
		if same(n, s) {
			return T(i), nil
		}
		known = append(known, n)
	}
	want := strings.Join(known, ", ")
	if k := len(known); k > 1 {
		want = strings.Join(known[:k-1], ", ") + " or " + known[k-1]
	}
	return 0, fmt.Errorf("%s %q: want %s", what, s, want)
}
