package catalog

import (
	"github.com/ompconform/ompconform/omp"
)

// Origination on an SDN router (edge or hub DUT): its operator adds a
// vRoute and removes it again through the DUT control contract
// (docs/dut-control.md: originate, withdraw), and the router advertises
// each change at once to its controller, the harness's fake peer.

func init() { register(127, originationCases) }

// originated is the prefix the DUT's operator originates, in the case
// run's VPN (Env.VPN).
const originated = "198.18.77.0/24"

// ViaOwnTLOC: the message names a next hop (ATTR_TYPE_TLOC), the DUT's
// own TLOC when the probe learned it (Env.OwnRoute).
func ViaOwnTLOC() Pred {
	return Pred{"its next hop is the DUT's own TLOC", func(e *Env, m omp.Message) bool {
		v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC)
		if !ok {
			return false
		}
		return e.OwnRoute == nil || v.(*omp.AttrTLOC).Address == e.OwnRoute.TLOC
	}}
}

func originationCases() []Case {
	p := originated
	advertised := ExpectMessage(omp.TypeUpdate, HasVRoute(p), ViaOwnTLOC())
	oc := func(id, reading string, script ...Step) Case {
		return Case{ID: id, Section: "3.1-distribution", Level: SHOULD, Basis: Draft, Requirement: reqController,
			Reading: reading, Roles: Edges, Needs: append([]Need{NeedControl(ActOriginate)}, vroute...), Type: omp.TypeUpdate, Script: script}
	}
	return []Case{
		oc("ORG-001", "A vRoute the SDN router's operator originates is advertised at once to its controller, over the router's own TLOC (the harness's operator action originate).",
			Open(0), OriginateRoute(p), ExpectOn(0, advertised), WithdrawRoute(p)),
		oc("ORG-002", "A vRoute the operator withdraws is withdrawn from the controller at once: an UPDATE with it in ATTR_TYPE_UNREACHABLES (the operator actions originate, then withdraw).",
			Open(0), OriginateRoute(p), ExpectOn(0, advertised), WithdrawRoute(p), ExpectOn(0, ExpectMessage(omp.TypeUpdate, WithdrawsVRoute(p)))),
	}
}
