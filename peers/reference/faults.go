package reference

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// Fault names a deliberate bug the speaker can be told to have
// (Config.Faults, `ompconform reference -fault NAME`). Faults exist to
// show that the conformance catalogue catches bugs (mutation testing of
// the suite): each is a small, realistic mistake at the place the speaker
// makes the decision it breaks, and each changes what the speaker sends
// or accepts on the wire. docs/faults.md lists them.
type Fault string

// FaultInfo describes a fault.
type FaultInfo struct {
	Name Fault `json:"name"`
	// Area is the part of the protocol the fault breaks: one of
	// FaultAreas().
	Area string `json:"area"`
	// Roles are the DUT roles in which the fault can show on the wire.
	Roles []omp.Role `json:"roles"`
	// Summary says what the faulty speaker does, against the correct one.
	Summary string `json:"summary"`
	// Unproven, when set, says why the conformance catalogue cannot show
	// the fault against a DUT it knows nothing of (`ompconform prove`
	// leaves it out and says why): it needs configuration of the DUT that
	// the harness cannot give.
	Unproven string `json:"unproven,omitempty"`
}

// faultAreas are the values of FaultInfo.Area, in the registry's order.
var faultAreas = []string{"header", "handshake", "update", "alert", "hello", "bestpath", "reflect", "negotiation", "origination",
	"gr", "eor-refresh", "query", "policy", "inform", "fsm", "robustness"}

// FaultAreas lists the areas faults belong to.
func FaultAreas() []string { return slices.Clone(faultAreas) }

// faultDef is a registry entry: a FaultInfo without what is derived.
type faultDef struct {
	Name    Fault
	Area    string
	Roles   []omp.Role
	Summary string
}

func (d faultDef) info(f fault) FaultInfo {
	return FaultInfo{Name: d.Name, Area: d.Area, Roles: slices.Clone(d.Roles), Summary: d.Summary, Unproven: unproven[f]}
}

// Faults lists every fault, in a stable order (by area).
func Faults() []FaultInfo {
	out := make([]FaultInfo, len(faultTable))
	for i, d := range faultTable {
		out[i] = d.info(fault(i))
	}
	return out
}

// LookupFault returns the fault called name.
func LookupFault(name string) (FaultInfo, bool) {
	if f, ok := faultByName(name); ok {
		return faultTable[f].info(f), true
	}
	return FaultInfo{}, false
}

func faultByName(name string) (fault, bool) {
	for i := range faultTable {
		if string(faultTable[i].Name) == name {
			return fault(i), true
		}
	}
	return 0, false
}

// roleList prints roles as "controller,edge,hub".
func roleList(rs []omp.Role) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.String()
	}
	return strings.Join(names, ",")
}

// faultsMarkdown is the registry as a Markdown table (docs/faults.md).
func faultsMarkdown() string {
	var b strings.Builder
	b.WriteString("| Fault | Area | Roles | What the faulty speaker does |\n|---|---|---|---|\n")
	for i, f := range faultTable {
		sum := f.Summary
		if why := unproven[fault(i)]; why != "" {
			sum += " *(not in `make prove`: " + why + ")*"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Area, roleList(f.Roles), sum)
	}
	return b.String()
}
