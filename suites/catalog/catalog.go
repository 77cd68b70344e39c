package catalog

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2/types"
)

// group is one part of the catalogue; each file of cases registers its
// parts from an init function, with an order key for the report order.
type group struct {
	order int
	cases func() []Case
}

var groups []group

func register(order int, f func() []Case) { groups = append(groups, group{order, f}) }

var (
	allOnce sync.Once
	all     []Case
	allErr  error
)

// All returns every case of the catalogue, in declaration order. The
// slice is shared: do not modify it.
func All() []Case {
	allOnce.Do(func() {
		seen := map[string]bool{}
		slices.SortStableFunc(groups, func(a, b group) int { return a.order - b.order })
		for _, g := range groups {
			for _, c := range g.cases() {
				if err := c.Validate(); err != nil && allErr == nil {
					allErr = err
				}
				if seen[c.ID] && allErr == nil {
					allErr = fmt.Errorf("case %s: declared twice", c.ID)
				}
				seen[c.ID] = true
				all = append(all, c)
			}
		}
	})
	if allErr != nil {
		panic("catalog: " + allErr.Error())
	}
	return all
}

// Lookup returns the case with the given ID.
func Lookup(id string) (*Case, bool) {
	cs := All()
	i := slices.IndexFunc(cs, func(c Case) bool { return strings.EqualFold(c.ID, id) })
	if i < 0 {
		return lookupScenario(id) // a scenario file's case (RegisterScenarios)
	}
	return &cs[i], true
}

// Select returns the cases whose labels match the ginkgo label filter
// expression (empty: every case) and, if ids is not empty, whose ID is
// listed ("HDR-*"-style prefixes ending in "*" match by prefix). It is
// the same label syntax as `ginkgo --label-filter`.
func Select(cases []Case, filter string, ids []string) ([]Case, error) {
	match := func([]string) bool { return true }
	if strings.TrimSpace(filter) != "" {
		f, err := types.ParseLabelFilter(filter)
		if err != nil {
			return nil, fmt.Errorf("label filter %q: %w", filter, err)
		}
		match = f
	}
	var out []Case
	used := make([]bool, len(ids))
	for _, c := range cases {
		if !match(c.Labels()) {
			continue
		}
		if len(ids) > 0 {
			hit := false
			for k, id := range ids {
				if p, ok := strings.CutSuffix(id, "*"); ok && strings.HasPrefix(strings.ToUpper(c.ID), strings.ToUpper(p)) || strings.EqualFold(id, c.ID) {
					hit, used[k] = true, true
				}
			}
			if !hit {
				continue
			}
		}
		out = append(out, c)
	}
	for k, u := range used {
		if !u {
			return nil, fmt.Errorf("no case matches %q", ids[k])
		}
	}
	return out, nil
}
