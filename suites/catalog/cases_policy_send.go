package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
)

// The DUT's sending side of POLICY (section 3.1.7): a controller DUT
// whose operator installs a policy (DUT control contract, action policy)
// sends it to the edges up at the time in one OMP_PKT_POL_COMPLETE up to 3980 bytes, in
// OMP_PKT_POL_START, OMP_PKT_POL_MORE... and OMP_PKT_POL_END above, and
// OMP_PKT_POL_DEL when it is removed. Only the framing is judged: the
// data is the DUT's own rendering of the policy. A case removes any
// policy first (one a failed case left behind) and last.

// bigPolicyText is n rules (about 55 bytes each) in the case run's VPN.
func bigPolicyText(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "rule %d match vpn {vpn} prefix 198.%d.%d.0/24 then accept\n", i+1, 18+i/256, i%256)
	}
	return b.String()
}

func policySendCases() []Case {
	small := "rule 10 match vpn {vpn} prefix 198.18.9.0/24 then reject"
	ps := func(id, reading string, script ...Step) Case {
		return Case{ID: id, Section: "3.1.7-policy", Level: SHOULD, Basis: Draft, Requirement: reqPolicy,
			Reading: reading + " The policy is installed through the DUT control contract (docs/policy.md's language); only the framing is judged.",
			Roles:   Controller, Exclusive: true, Needs: []Need{NeedControl(control.Policy)}, Type: omp.TypePolicy,
			Script: slices.Concat([]Step{InstallPolicy("")}, script, []Step{InstallPolicy("")})}
	}
	return []Case{
		ps("PLD-001", "A controller sends a policy of 3980 bytes or less, installed while an edge's session is up, to that edge in one OMP_PKT_POL_COMPLETE.",
			Open(0), InstallPolicy(small), ExpectOn(0, PolicySent(PolComplete))),
		ps("PLD-002", "A controller sends a policy of more than 3980 bytes (about 11 KB) as OMP_PKT_POL_START, OMP_PKT_POL_MORE... and OMP_PKT_POL_END, no fragment over 3980 bytes of data.",
			Open(0), InstallPolicy(bigPolicyText(200)), ExpectOn(0, PolicySent(PolFragments))),
		ps("PLD-003", "When its policy is removed, a controller sends OMP_PKT_POL_DEL to the edges it had sent it to.",
			Open(0), InstallPolicy(small), ExpectOn(0, PolicySent(PolComplete)), InstallPolicy(""), ExpectOn(0, PolicySent(PolDel))),
	}
}

// PolShape is how a POLICY sequence is framed.
type PolShape uint8

const (
	PolComplete  PolShape = iota // one OMP_PKT_POL_COMPLETE, 1..3980 bytes of data
	PolFragments                 // START, MORE..., END: more than 3980 bytes, none over 3980 a fragment
	PolDel                       // OMP_PKT_POL_DEL
)

var polShapes = [...]string{"one OMP_PKT_POL_COMPLETE with 1..3980 bytes of data",
	"OMP_PKT_POL_START, OMP_PKT_POL_MORE..., OMP_PKT_POL_END: more than 3980 bytes, at most 3980 a message",
	"OMP_PKT_POL_DEL"}

type policySentExp struct{ shape PolShape }

// PolicySent expects the DUT's next POLICY sequence, within Env.Answer,
// to be framed as shape.
func PolicySent(shape PolShape) Expectation { return policySentExp{shape} }

func (p policySentExp) String() string { return polShapes[p.shape] }

func (policySentExp) Alerts() []omp.AlertID { return nil }

func (p policySentExp) check(x *Exec, peer int) Verdict {
	var seq []*omp.Policy
	ev, skipped := x.await(peer, x.Env.Answer, p.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		pol, ok := ev.Msg.(*omp.Policy)
		if !ok {
			return false
		}
		seq = append(seq, pol)
		t := pol.PolicyType
		return t == omp.PolicyComplete || t == omp.PolicyDel || t == omp.PolicyEnd || len(seq) > 64
	})
	got := describePolicies(seq)
	switch {
	case ev.Kind == EvTimeout && len(seq) == 0:
		return verdict(Fail, p, "no POLICY within "+x.Env.Answer.String()+skipped, "")
	case ev.Kind == EvTimeout:
		return verdict(Fail, p, got+", then nothing within "+x.Env.Answer.String(), "the sequence never ended")
	case ev.Kind == EvBadMessage:
		return verdict(Fail, p, got+ev.String(), "a POLICY the DUT sent does not decode")
	case ev.Kind != EvMessage || len(seq) == 0 || ev.Msg != omp.Message(seq[len(seq)-1]):
		return x.refused(p, ev, skipped)
	}
	if why := p.misframed(seq); why != "" {
		return verdict(Fail, p, got, why)
	}
	return verdict(Pass, p, got, "")
}

// misframed says how seq breaks the shape, "" if it does not.
func (p policySentExp) misframed(seq []*omp.Policy) string {
	total := 0
	for _, m := range seq {
		total += len(m.Data)
	}
	first, last := seq[0].PolicyType, seq[len(seq)-1].PolicyType
	switch p.shape {
	case PolComplete:
		if len(seq) != 1 || first != omp.PolicyComplete {
			return fmt.Sprintf("%d bytes of policy, which fit one message", total)
		}
		if total == 0 {
			return "an empty COMPLETE: no policy is OMP_PKT_POL_DEL"
		}
	case PolDel:
		if len(seq) != 1 || first != omp.PolicyDel {
			return "the policy was removed"
		}
	case PolFragments:
		if first != omp.PolicyStart || last != omp.PolicyEnd {
			return "a sequence starts with OMP_PKT_POL_START and ends with OMP_PKT_POL_END"
		}
		for _, m := range seq[1 : len(seq)-1] {
			if m.PolicyType != omp.PolicyMore {
				return "only OMP_PKT_POL_MORE between START and END"
			}
		}
		if total <= omp.MaxPolicyData {
			return fmt.Sprintf("%d bytes fit one OMP_PKT_POL_COMPLETE", total)
		}
	}
	return ""
}

func describePolicies(seq []*omp.Policy) string {
	var parts []string
	for _, m := range seq {
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", m.PolicyType, len(m.Data)))
	}
	return strings.Join(parts, ", ")
}
