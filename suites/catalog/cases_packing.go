package catalog

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// The DUT's sending side under volume: a controller that reflects more
// routes than one UPDATE holds packs them into UPDATEs of at most 4096
// bytes, each attribute's Length on two bytes (ATTR_EXTENDED) where its
// data passes 255 bytes.

const reqPacking = "OMP messages are sent over TCP connections. [...] maximum packet size is 4096 bytes. [...] | Flags | Type |Length(1/2bytes based on flags)| [...] ATTR_EXTENDED = 0x10"

// manyPrefixes are n /24s from 198.18.0.0 on (198.18.0.0/15 for the
// first 512), in the case run's VPN.
func manyPrefixes(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		k := from + i
		out[i] = fmt.Sprintf("198.%d.%d.0/24", 18+k/256, k%256)
	}
	return out
}

// sendInBatches has peer i advertise the prefixes over its TLOC, n to an
// UPDATE.
func sendInBatches(i int, prefixes []string, n int) []Step {
	var out []Step
	for b := range slices.Chunk(prefixes, n) {
		out = append(out, Send(i, Update(TLOC(), VRoutes(b...))))
	}
	return out
}

func packingCases() []Case {
	first, second, third := manyPrefixes(0, 100), manyPrefixes(100, 100), manyPrefixes(200, 100)
	table := manyPrefixes(0, 8000)
	return []Case{
		{ID: "PKT-001", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqPacking,
			Reading: "A controller reflects 200 vRoutes (two UPDATEs of 100, about 2.4 KB each) in UPDATEs that decode: none over 4096 bytes, and an attribute of more than 255 bytes of data (a REACHABLES with more than about ten vRoutes) flagged ATTR_EXTENDED with a 2-byte Length. Every route arrives.",
			Roles:   Controller, Needs: append([]Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, vroute...), Type: omp.TypeUpdate, Exclusive: true,
			Script: []Step{Open(0), Open(1), Send(0, Update(TLOCRoutes())), Send(0, Update(TLOC(), VRoutes(first...))), Send(0, Update(TLOC(), VRoutes(second...))),
				ExpectOn(1, ReceivesVRoutes(append(first, second...)...))}},
		{ID: "PKT-002", Section: "3.1.3", Level: MUST, Basis: Draft, Requirement: reqPacking,
			Reading: "A controller sends a peer that connects after it learned 300 vRoutes (three UPDATEs of 100 from another peer) its whole table in the initial advertisement, more than one UPDATE can hold with their attributes: it splits them, none of its UPDATEs over 4096 bytes, and every route arrives.",
			Roles:   Controller, Needs: append([]Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, vroute...), Type: omp.TypeUpdate, Exclusive: true,
			Script: []Step{Open(0), Send(0, Update(TLOCRoutes())), Send(0, Update(TLOC(), VRoutes(first...))), Send(0, Update(TLOC(), VRoutes(second...))),
				Send(0, Update(TLOC(), VRoutes(third...))), ExpectOn(0, Accept()), OpenForEOR(1), ExpectOn(1, ReceivesVRoutes(slices.Concat(first, second, third)...))}},
		{ID: "PKT-003", Section: "3.1.7-inform", Level: SHOULD, Basis: BGP, Source: "RFC 4724 2",
			Requirement: "the End-of-RIB marker MUST be sent by a BGP speaker to its peer once it completes the initial routing update (including the case when there is no update to send) for an address family after the BGP session is established.",
			Reading:     "A table larger than a controller may send at one go (8000 vRoutes, about 180 KB, learned in UPDATEs of 100 from another peer) reaches a peer that connects afterwards whole before the vRoute family's OMP_INFORM_EOR: the End-of-RIB ends the initial advertisement, not its first part.",
			Roles:       Controller, Needs: append([]Need{NeedFamily(omp.AFIIPv4, omp.SAFITLOC)}, vroute...), Type: omp.TypeInform, Exclusive: true,
			Script: slices.Concat([]Step{Open(0), Send(0, Update(TLOCRoutes()))}, sendInBatches(0, table, 100),
				[]Step{ExpectOn(0, Accept()), OpenForEOR(1), ExpectOn(1, ReceivesVRoutesBeforeEOR(table...))})},
	}
}

type receivesExp struct {
	prefixes  []string
	beforeEOR bool // and no End-of-RIB of AFI_IPV4/SAFI_VROUTE before the last
}

// ReceivesVRoutes expects the DUT to advertise every prefix (in the case
// run's VPN) within Env.Answer, in messages that all decode.
func ReceivesVRoutes(prefixes ...string) Expectation { return receivesExp{prefixes: prefixes} }

// ReceivesVRoutesBeforeEOR is ReceivesVRoutes in an initial
// advertisement: every prefix before the End-of-RIB of the IPv4 vRoute
// family.
func ReceivesVRoutesBeforeEOR(prefixes ...string) Expectation {
	return receivesExp{prefixes: prefixes, beforeEOR: true}
}

func (r receivesExp) String() string {
	if r.beforeEOR {
		return fmt.Sprintf("UPDATEs that decode, advertising all %d vRoutes, then the vRoute family's OMP_INFORM_EOR", len(r.prefixes))
	}
	return fmt.Sprintf("UPDATEs that decode, advertising all %d vRoutes", len(r.prefixes))
}

func (receivesExp) Alerts() []omp.AlertID { return nil }

func (r receivesExp) check(x *Exec, peer int) Verdict {
	want := map[netip.Prefix]bool{}
	for _, p := range r.prefixes {
		want[netip.MustParsePrefix(p)] = true
	}
	updates, largest, early := 0, 0, false
	vroutes := omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	ev, skipped := x.await(peer, x.Env.Answer, r.String(), func(ev Event) bool {
		if _, ok := ev.Alert(); ok {
			return true
		}
		if f, all, ok := eorOf(ev.Msg); ok && r.beforeEOR && (all || f == vroutes) {
			early = true
			return true
		}
		if ev.Msg.Type() != omp.TypeUpdate {
			return false
		}
		n := 0
		for _, a := range attrsOf(ev.Msg) {
			if v, ok := a.Value.(*omp.AttrReachables); ok && v.SAFI == omp.SAFIVRoute {
				for _, v := range v.VRoutes {
					if v.VPNID == x.Env.VPN() && want[v.Prefix()] {
						delete(want, v.Prefix())
						n++
					}
				}
			}
		}
		if n > 0 {
			updates++
			largest = max(largest, len(ev.Raw))
		}
		return len(want) == 0
	})
	got := len(r.prefixes) - len(want)
	switch {
	case ev.Kind == EvBadMessage:
		return verdict(Fail, r, fmt.Sprintf("%d vRoutes in %d UPDATEs, then %s", got, updates, ev), "an UPDATE the DUT sent does not decode")
	case early:
		return verdict(Fail, r, fmt.Sprintf("%d of %d vRoutes in %d UPDATEs, then %s", got, len(r.prefixes), updates, ev), "End-of-RIB before the end of the initial advertisement")
	case len(want) == 0:
		return verdict(Pass, r, fmt.Sprintf("all %d vRoutes in %d UPDATEs (the largest %d bytes)", got, updates, largest), "")
	case ev.Kind == EvTimeout:
		return verdict(Fail, r, fmt.Sprintf("%d of %d vRoutes within %s%s", got, len(r.prefixes), x.Env.Answer, skipped), "")
	}
	return x.refused(r, ev, skipped)
}
