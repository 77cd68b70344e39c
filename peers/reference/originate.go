package reference

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// Routes the operator originates and withdraws at run time (the DUT
// control contract's originate and withdraw, docs/dut-control.md),
// beside those of the configuration.

// originator is a routing half whose local routes change at run time.
type originator interface {
	originate(rc RouteConfig) error
	removeRoute(vpn uint64, prefix netip.Prefix) error
	originateTLOC(t TLOCConfig) error
	removeTLOC(k TLOCKey) error
	installPolicy(text []byte) error
}

// addRoute originates rc (or replaces the route of its VPN and prefix).
func (rr *ribRouting) addRoute(rc RouteConfig) error {
	origin, ok := originNames[rc.Origin]
	if !ok {
		return fmt.Errorf("route %v: origin %q is not one of connected, static, ebgp, ospf-intra, ospf-inter, ospf-external, ibgp, eigrp", rc.Prefix, rc.Origin)
	}
	tloc := rc.TLOC
	if !tloc.Address.IsValid() {
		if !rr.tloc0.Address.IsValid() {
			return fmt.Errorf("route %v: no TLOC given and none configured", rc.Prefix)
		}
		tloc = rr.tloc0
	}
	lr := rib.LocalRoute{VPN: rc.VPN, Prefix: rc.Prefix, Label: rc.Label, Pref: rc.Preference, Origin: origin,
		TLOC: omp.TLOCNLRI{Address: tloc.Address, Color: tloc.Color, Encap: tloc.Encap}}
	if rc.Tag != 0 {
		lr.Attrs = append(lr.Attrs, omp.Attr(&omp.AttrTag{Tag: rc.Tag}))
	}
	if err := rr.rib.AddRoute(lr); err != nil {
		return fmt.Errorf("route %v: %w", rc.Prefix, err)
	}
	return nil
}

// originate is the operator's addRoute.
func (rr *ribRouting) originate(rc RouteConfig) error {
	if rr.faults.has(fOriginateIgnored) {
		return nil
	}
	return rr.addRoute(rc)
}

// removeRoute withdraws the local route of vpn and prefix.
func (rr *ribRouting) removeRoute(vpn uint64, prefix netip.Prefix) error {
	if rr.faults.has(fLocalWithdrawIgnored) || prefix.Addr().Is6() && rr.faults.has(fLocalWithdrawV6Ignored) {
		return nil
	}
	if !rr.rib.RemoveRoute(vpn, prefix, 0) {
		return fmt.Errorf("no local route %v in VPN %d", prefix, vpn)
	}
	return nil
}

// MaxLocalTLOCs bounds the TLOCs a speaker originates: the operator's
// originate-tloc of one more is refused (the configuration's count too).
const MaxLocalTLOCs = 1024

// originateTLOC originates t (or replaces the TLOC of its key): an SDN
// router's own TLOC, so a controller, which has none, refuses it (as it
// refuses originate: docs/dut-control.md), and so does a speaker that
// already originates MaxLocalTLOCs.
func (rr *ribRouting) originateTLOC(t TLOCConfig) error {
	if rr.role == omp.RoleController {
		return errors.New("originate-tloc: a controller has no TLOC of its own (an edge or a hub originates one)")
	}
	if rr.faults.has(fOriginateIgnored) {
		return nil
	}
	return rr.addTLOCUpTo(t, MaxLocalTLOCs)
}

// removeTLOC withdraws the local TLOC k.
func (rr *ribRouting) removeTLOC(k TLOCKey) error {
	if rr.faults.has(fLocalWithdrawIgnored) || k.Address.Is6() && rr.faults.has(fLocalWithdrawV6Ignored) {
		return nil
	}
	if !rr.rib.RemoveTLOC(omp.TLOCNLRI{Address: k.Address, Color: k.Color, Encap: k.Encap}) {
		return fmt.Errorf("no local TLOC %v color %d encap %d", k.Address, k.Color, k.Encap)
	}
	rr.mu.Lock()
	delete(rr.tlocs, k)
	rr.mu.Unlock()
	return nil
}

// OriginateTLOC has the speaker originate a TLOC and advertise it.
func (sp *Speaker) OriginateTLOC(t TLOCConfig) error {
	return sp.originating(func(o originator) error {
		if !t.Address.IsValid() {
			return errors.New("originate-tloc: no address")
		}
		return o.originateTLOC(t)
	})
}

// WithdrawTLOC withdraws a TLOC the speaker originated.
func (sp *Speaker) WithdrawTLOC(k TLOCKey) error {
	return sp.originating(func(o originator) error { return o.removeTLOC(k) })
}

// Originate has the speaker originate a vRoute, over its first TLOC
// unless rc names one, and advertise it to its peers.
func (sp *Speaker) Originate(rc RouteConfig) error {
	return sp.originating(func(o originator) error {
		if !rc.Prefix.IsValid() {
			return errors.New("originate: no prefix")
		}
		return o.originate(RouteConfig{VPN: rc.VPN, Prefix: rc.Prefix.Masked(), TLOC: rc.TLOC, Preference: rc.Preference, Tag: rc.Tag, Origin: rc.Origin, Label: rc.Label})
	})
}

// WithdrawRoute withdraws a vRoute the speaker originated.
func (sp *Speaker) WithdrawRoute(vpn uint64, prefix netip.Prefix) error {
	return sp.originating(func(o originator) error { return o.removeRoute(vpn, prefix.Masked()) })
}

// originating runs do on the routing half if its local routes change at
// run time (an originator); else it is errNoOrigination.
func (sp *Speaker) originating(do func(o originator) error) error {
	o, ok := sp.routing.(originator)
	if !ok {
		return errNoOrigination
	}
	return do(o)
}

// errNoOrigination: the routing half keeps no local routes.
var errNoOrigination = errors.New("the routing half originates no routes")

// installPolicy replaces the control policy (docs/policy.md; empty text
// removes it): applied at once to every learned path, and (a controller)
// sent to the edges and hubs whose sessions open after it.
func (rr *ribRouting) installPolicy(text []byte) error {
	var p *policy.Policy
	if len(bytes.TrimSpace(text)) > 0 {
		var err error
		if p, err = policy.Parse(text); err != nil {
			return fmt.Errorf("policy: %w", err)
		}
	}
	rr.mu.Lock()
	rr.policy = bytes.Clone(text)
	var send []*ribPeer
	if rr.role == omp.RoleController && !(len(rr.policy) == 0 && rr.faults.has(fPolicyDelNotSent)) {
		for e := range rr.edges {
			send = append(send, e)
		}
	}
	msgs := rr.fragment(rr.policy)
	rr.mu.Unlock()
	rr.setPolicy(p)
	// A controller sends the new policy (or OMP_PKT_POL_DEL) to the edges
	// and hubs up now.
	for _, e := range send {
		e.queuePolicy(msgs)
		rr.rib.Wake(e.id)
	}
	return nil
}

// queuePolicy queues msgs, a whole policy, for the peer. What is queued of
// an older one goes, but for the rest of a sequence already begun on the
// wire (its START sent), which is finished first: the queue holds at most
// two policies, however often the operator installs one while the peer
// does not read.
func (p *ribPeer) queuePolicy(msgs []*omp.Policy) {
	p.pmu.Lock()
	defer p.pmu.Unlock()
	keep := 0
	if len(p.policy) > 0 && (p.policy[0].PolicyType == omp.PolicyMore || p.policy[0].PolicyType == omp.PolicyEnd) {
		for keep < len(p.policy) && p.policy[keep].PolicyType != omp.PolicyEnd {
			keep++
		}
		keep = min(keep+1, len(p.policy))
	}
	p.policy = append(p.policy[:keep:keep], msgs...)
}

// fragment is policy.Fragment, or what the policy-sending faults make of
// it.
func (rr *ribRouting) fragment(text []byte) []*omp.Policy {
	switch {
	case rr.faults.has(fPolicyOversize):
		return policy.FragmentBy(text, 4000, false)
	case rr.faults.has(fPolicyCompleteSplit):
		return policy.FragmentBy(text, omp.MaxPolicyData, true)
	}
	return policy.Fragment(text)
}

// InstallPolicy has the speaker install a control policy, as its
// configuration's would be (docs/policy.md); empty text removes it.
func (sp *Speaker) InstallPolicy(text []byte) error {
	o, ok := sp.routing.(originator)
	if !ok {
		return errors.New("the routing half applies no policy")
	}
	return o.installPolicy(text)
}

// ReadRoutes is the speaker's paths to vpn and prefix and, on an SDN
// router, its forwarding entry for them: the DUT control contract's
// answer to routes.
func (sp *Speaker) ReadRoutes(vpn uint64, prefix netip.Prefix) (control.Readout, error) {
	rr, ok := sp.routing.(*ribRouting)
	if !ok {
		return control.Readout{}, errors.New("the routing half keeps no routes")
	}
	prefix = prefix.Masked()
	out := control.Readout{Paths: []control.ReadPath{}}
	for _, r := range rr.rib.PathsTo(vpn, prefix) {
		p := control.ReadPath{Originator: r.Originator, SiteID: r.SiteID, Best: r.Best}
		if v, ok := omp.Find(r.Attrs, omp.AttrTypeTLOC); ok {
			p.NextHop = v.(*omp.AttrTLOC).Address
		}
		if v, ok := omp.Find(r.Attrs, omp.AttrTypePref); ok {
			p.Preference = v.(*omp.AttrPref).Preference
		}
		out.Paths = append(out.Paths, p)
	}
	if e, ok := rr.rib.Lookup(vpn, prefix.Addr()); ok && e.Prefix == prefix {
		for _, nh := range e.NextHops {
			out.FIB = append(out.FIB, nh.Address)
		}
	}
	return out, nil
}

// addTLOC originates t: the configuration's TLOCs and the operator's.
func (rr *ribRouting) addTLOC(t TLOCConfig) error { return rr.addTLOCUpTo(t, 0) }

// addTLOCUpTo is addTLOC refusing a new TLOC once max (0: no bound) are
// originated. rr.mu is released before the RIB is called.
func (rr *ribRouting) addTLOCUpTo(t TLOCConfig, max int) error {
	rr.mu.Lock()
	if rr.tlocs == nil {
		rr.tlocs = map[TLOCKey]bool{}
	}
	fresh := !rr.tlocs[t.TLOCKey]
	if fresh && max > 0 && len(rr.tlocs) >= max {
		rr.mu.Unlock()
		return fmt.Errorf("TLOC %v color %d encap %d: already %d TLOCs originated, the most the speaker keeps; withdraw one first", t.Address, t.Color, t.Encap, max)
	}
	rr.tlocs[t.TLOCKey] = true
	rr.mu.Unlock()
	if err := rr.addLocalTLOC(t); err != nil {
		if fresh {
			rr.mu.Lock()
			delete(rr.tlocs, t.TLOCKey)
			rr.mu.Unlock()
		}
		return err
	}
	return nil
}

func (rr *ribRouting) addLocalTLOC(t TLOCConfig) error {
	lt := rib.LocalTLOC{TLOC: omp.TLOCNLRI{Address: t.Address, Color: t.Color, Encap: t.Encap}, Pref: t.Preference, Private: t.Private, Public: t.Public}
	if t.Weight != 0 {
		lt.Attrs = append(lt.Attrs, omp.Attr(&omp.AttrWeight{Weight: t.Weight}))
	}
	if rr.faults.has(fOwnTLOCSiteWrong) {
		lt.Attrs = append(lt.Attrs, omp.Attr(&omp.AttrSiteID{SiteID: rr.site + 1})) // another site than the HANDSHAKE's
	}
	if err := rr.rib.AddTLOC(lt); err != nil {
		return fmt.Errorf("TLOC %v: %w", t.Address, err)
	}
	return nil
}
