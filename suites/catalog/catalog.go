package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2/types"
)

// groups is the catalogue: its parts in report order, each a function
// of one cases_*.go file returning its cases as literals.
var groups = []func() []Case{
	headerCases,          // HDR: the message header (3.1.1)
	handshakeCases,       // HS: HANDSHAKE (3.1.2)
	attrCases,            // UPD-1xx, UPD-2xx: path attributes (3.1.3.x)
	updateCases,          // UPD-0xx: UPDATE (3.1.3)
	nlriCases,            // UPD-4xx: NLRI (3.1.3.12)
	alertCases,           // ALR, OPR: ALERT (3.1.4)
	transportCases,       // TCP
	helloCases,           // HEL: HELLO (3.1.5)
	holdCases,            // HLD: the hold timer
	queryCases,           // QRY: QUERY
	policyCases,          // POL: POLICY
	informCases,          // INF: INFORM
	fsmCases,             // FSM: the session state machine
	negotiationCases,     // NEG: negotiated families
	reflectionCases,      // RFL: route distribution by a controller
	packingCases,         // PKT: many vRoutes
	grCases,              // GR: graceful restart (controller)
	bestPathCases,        // BP: path selection (controller)
	policyApplyCases,     // PLA: control policy applied (controller)
	policySendCases,      // PLD: POLICY sent (controller)
	edgeRoutingCases,     // EBP: path selection (edge, hub)
	edgeGRCases,          // EGR: graceful restart (edge, hub)
	originationCases,     // ORG: vRoutes the DUT originates
	edgePolicyApplyCases, // EPL: control policy applied (edge, hub)
	readoutCases,         // RDO: the DUT's route table
}

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
		for _, g := range groups {
			for _, c := range g() {
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

// ansiCodes are a terminal's colour codes.
var ansiCodes = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Select returns the cases whose labels match the ginkgo label filter
// expression (empty: every case) and, if ids is not empty, whose ID is
// listed ("HDR-*"-style prefixes ending in "*" match by prefix). It is
// the same label syntax as `ginkgo --label-filter`.
func Select(cases []Case, filter string, ids []string) ([]Case, error) {
	match := func([]string) bool { return true }
	if strings.TrimSpace(filter) != "" {
		f, err := types.ParseLabelFilter(filter)
		if err != nil {
			// ginkgo's error is coloured and spread over lines for a
			// terminal: one plain line here.
			return nil, fmt.Errorf("label filter %q: %s", filter, strings.Join(strings.Fields(ansiCodes.ReplaceAllString(err.Error(), "")), " "))
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
			if strings.HasSuffix(ids[k], "*") {
				return nil, fmt.Errorf("no case matches %q (ompconform list)", ids[k])
			}
			return nil, fmt.Errorf("no case matches %q (ompconform list; a prefix ends in \"*\", as in %q)", ids[k], ids[k]+"*")
		}
	}
	return out, nil
}
