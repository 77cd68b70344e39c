package catalog

import (
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/ompconform/ompconform/internal/enum"
)

// named is an omp enumerated type: a number whose String is its draft name.
type named interface {
	enum.Integer
	fmt.Stringer
}

// byName is the one of vals whose name (its String) s spells, as norm
// compares them: case aside, with spaces and dashes for underscores. Its
// error lists the names: `capability "X": want MP, IDENTITY ... or OVERLAY ID`.
func byName[T named](what, s string, vals ...T) (T, error) {
	names := make([]string, int(slices.Max(vals))+1)
	for _, v := range vals {
		names[v] = v.String()
	}
	return enum.ParseWith[T](names, what, s, func(name, s string) bool { return norm(name) == norm(s) })
}

// pickByName reads the string at n as one of vals by name, reporting at n
// what it wanted.
func pickByName[T named](p *scParser, n *yaml.Node, what string, vals ...T) (T, bool) {
	s, ok := p.str(n, what)
	if !ok {
		return 0, false
	}
	v, err := byName(what, s, vals...)
	if err != nil {
		p.errf(n, "%v", err)
		return 0, false
	}
	return v, true
}

// span is lo, lo+1, ..., hi (hi may be the type's largest value).
func span[T enum.Integer](lo, hi T) []T {
	var out []T
	for v := lo; v <= hi; v++ {
		out = append(out, v)
		if v == hi {
			break
		}
	}
	return out
}
