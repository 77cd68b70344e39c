package catalog

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// Predicates on received messages, for ExpectMessage and NoMessage.

func attrsOf(m omp.Message) []omp.Attribute {
	switch m := m.(type) {
	case *omp.Update:
		return m.Attributes
	case *omp.Query:
		return m.Attributes
	}
	return nil
}

// vroutesIn is the vRoutes to prefix in the case run's VPN that m
// advertises (or, with withdrawn, withdraws).
func vroutesIn(e *Env, m omp.Message, withdrawn bool, prefix netip.Prefix) []omp.VRouteNLRI {
	return vroutesInVPN(e.VPN(), m, withdrawn, prefix)
}

func vroutesInVPN(vpn uint64, m omp.Message, withdrawn bool, prefix netip.Prefix) []omp.VRouteNLRI {
	var out []omp.VRouteNLRI
	for _, r := range reachesOf(m, withdrawn, omp.SAFIVRoute) {
		for _, v := range r.VRoutes {
			if v.VPNID == vpn && v.Prefix() == prefix {
				out = append(out, v)
			}
		}
	}
	return out
}

// reachesOf is the NLRI of SAFI safi that the message advertises (its
// ATTR_TYPE_REACHABLES) or, with withdrawn, withdraws (its
// ATTR_TYPE_UNREACHABLES).
func reachesOf(m omp.Message, withdrawn bool, safi omp.SAFI) []*omp.Reach {
	var out []*omp.Reach
	for _, a := range attrsOf(m) {
		if r, w := omp.ReachOf(a.Value); r != nil && w == withdrawn && r.SAFI == safi {
			out = append(out, r)
		}
	}
	return out
}

// tlocIn reports whether the message advertises (or, with withdrawn,
// withdraws) a TLOC route that match takes.
func tlocIn(m omp.Message, withdrawn bool, match func(omp.TLOCNLRI) bool) bool {
	for _, r := range reachesOf(m, withdrawn, omp.SAFITLOC) {
		if slices.ContainsFunc(r.TLOCs, match) {
			return true
		}
	}
	return false
}

// HasVRoute: the message advertises prefix in the case run's VPN.
func HasVRoute(prefix string) Pred { return HasAnyVRoute(prefix) }

// HasAnyVRoute: the message advertises one of the prefixes, in the case
// run's VPN.
func HasAnyVRoute(prefixes ...string) Pred {
	var ps []netip.Prefix
	for _, s := range prefixes {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return Pred{"it advertises " + strings.Join(prefixes, " or "), func(e *Env, m omp.Message) bool {
		for _, p := range ps {
			if len(vroutesIn(e, m, false, p)) > 0 {
				return true
			}
		}
		return false
	}}
}

// WideVPN is the bit a case sets in its VPN ID to send one that needs
// more than 32 of the 8 bytes the draft gives the VPN ID.
const WideVPN = 1 << 32

// HasVRouteInWideVPN: the message advertises prefix in the case run's
// VPN with WideVPN set.
func HasVRouteInWideVPN(prefix string) Pred {
	p := netip.MustParsePrefix(prefix)
	return Pred{"it advertises " + prefix + " in the case's VPN + 2^32, all eight bytes of its VPN ID", func(e *Env, m omp.Message) bool {
		return len(vroutesInVPN(e.VPN()|WideVPN, m, false, p)) > 0
	}}
}

// WithdrawsVRoute: the message withdraws prefix in the case run's VPN.
func WithdrawsVRoute(prefix string) Pred {
	p := netip.MustParsePrefix(prefix)
	return Pred{"it withdraws " + prefix, func(e *Env, m omp.Message) bool { return len(vroutesIn(e, m, true, p)) > 0 }}
}

// ViaPeer: the message's ATTR_TYPE_TLOC is fake peer i's TLOC.
func ViaPeer(i int) Pred {
	return via(fmt.Sprintf("its TLOC is peer%d's", i), func(e *Env) netip.Addr { return e.Peer(i).TLOC })
}

// ViaPeer6: the message's ATTR_TYPE_TLOC is fake peer i's IPv6 TLOC
// (PeerID.TLOC6).
func ViaPeer6(i int) Pred {
	return via(fmt.Sprintf("its TLOC is peer%d's IPv6 TLOC", i), func(e *Env) netip.Addr { return e.Peer(i).TLOC6 })
}

// via: the message's ATTR_TYPE_TLOC is at the address addr gives.
func via(what string, addr func(e *Env) netip.Addr) Pred {
	return Pred{what, func(e *Env, m omp.Message) bool {
		v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC)
		return ok && v.(*omp.AttrTLOC).Address == addr(e)
	}}
}

// HasLabel: the message advertises prefix in the case run's VPN with
// Label label.
func HasLabel(prefix string, label uint32) Pred {
	p := netip.MustParsePrefix(prefix)
	return Pred{fmt.Sprintf("it advertises %s with Label %d", prefix, label), func(e *Env, m omp.Message) bool {
		return slices.ContainsFunc(vroutesIn(e, m, false, p), func(v omp.VRouteNLRI) bool { return v.Label == label })
	}}
}

// OriginatedBy: the message's ATTR_TYPE_ORIGINATOR names fake peer i's
// Router ID.
func OriginatedBy(i int) Pred {
	return Pred{fmt.Sprintf("its ORIGINATOR is router %d's", i), func(e *Env, m omp.Message) bool {
		v, ok := omp.Find(attrsOf(m), omp.AttrTypeOriginator)
		return ok && v.(*omp.AttrOriginator).Originator == e.Peer(i).RouterID
	}}
}

// HasTLOCRoute: the message advertises fake peer i's TLOC (SAFI_TLOC).
func HasTLOCRoute(i int) Pred {
	return Pred{fmt.Sprintf("it advertises peer%d's TLOC", i), func(e *Env, m omp.Message) bool {
		return tlocIn(m, false, func(t omp.TLOCNLRI) bool { return t.Address == e.Peer(i).TLOC })
	}}
}

// HasTLOC6Route: the message advertises fake peer i's IPv6 TLOC
// (AFI_IPv6/SAFI_TLOC, PeerID.TLOC6).
func HasTLOC6Route(i int) Pred {
	return Pred{fmt.Sprintf("it advertises peer%d's IPv6 TLOC", i), func(e *Env, m omp.Message) bool {
		return tlocIn(m, false, func(t omp.TLOCNLRI) bool { return t.Address == e.Peer(i).TLOC6 })
	}}
}

// WithdrawsTLOC6Route: the message withdraws fake peer i's IPv6 TLOC.
func WithdrawsTLOC6Route(i int) Pred {
	return Pred{fmt.Sprintf("it withdraws peer%d's IPv6 TLOC", i), func(e *Env, m omp.Message) bool {
		return tlocIn(m, true, func(t omp.TLOCNLRI) bool { return t.Address == e.Peer(i).TLOC6 })
	}}
}

// HasTLOCRouteOfColor: the message advertises fake peer i's TLOC of
// color c (SAFI_TLOC).
func HasTLOCRouteOfColor(i int, c uint8) Pred {
	return Pred{fmt.Sprintf("it advertises peer%d's TLOC of color %d", i, c), func(e *Env, m omp.Message) bool {
		return tlocIn(m, false, func(t omp.TLOCNLRI) bool { return t.Address == e.Peer(i).TLOC && t.Color == c })
	}}
}

// AdvertisesTLOC: the message advertises a TLOC route (SAFI_TLOC), any.
func AdvertisesTLOC() Pred {
	return Pred{"it advertises a TLOC (SAFI_TLOC)", func(_ *Env, m omp.Message) bool {
		return tlocIn(m, false, func(omp.TLOCNLRI) bool { return true })
	}}
}

// AdvertisesDUTTLOC: the message advertises a TLOC of the DUT's own: its
// ATTR_TYPE_ORIGINATOR, if it has one, names the DUT (the Peer Router ID
// of its probe HANDSHAKE), and the TLOC is no fake peer's nor one an
// operator action originated for a case (OwnTLOC).
func AdvertisesDUTTLOC() Pred {
	return Pred{"it advertises a TLOC of the DUT's own", func(e *Env, m omp.Message) bool {
		if o, ok := omp.Find(attrsOf(m), omp.AttrTypeOriginator); ok && (e.DUT == nil || o.(*omp.AttrOriginator).Originator != e.DUT.PeerRouterID) {
			return false
		}
		return tlocIn(m, false, func(t omp.TLOCNLRI) bool {
			_, fake := RunOfTLOC(t.Address)
			_, forCase := RunOfOwnTLOC(t.Address)
			return !fake && !forCase
		})
	}}
}

// notPred is p's negation.
func notPred(p Pred) Pred {
	return Pred{"not: " + p.Desc, func(e *Env, m omp.Message) bool { return !p.Fn(e, m) }}
}

// WithdrawsTLOCRoute: the message withdraws fake peer i's TLOC.
func WithdrawsTLOCRoute(i int) Pred {
	return Pred{fmt.Sprintf("it withdraws peer%d's TLOC", i), func(e *Env, m omp.Message) bool {
		return tlocIn(m, true, func(t omp.TLOCNLRI) bool { return t.Address == e.Peer(i).TLOC })
	}}
}

// OwnTLOCIn: the message advertises (or, with withdrawn, withdraws) the
// TLOC the case run had the DUT originate (OwnTLOC).
func OwnTLOCIn(withdrawn bool) Pred { return ownTLOCIn(withdrawn, "TLOC", OwnTLOC) }

// OwnTLOCV6In is OwnTLOCIn of the IPv6 TLOC (OwnTLOCV6) under AFI_IPv6.
func OwnTLOCV6In(withdrawn bool) Pred {
	p := ownTLOCIn(withdrawn, "IPv6 TLOC", OwnTLOCV6)
	return Pred{p.Desc + " under AFI_IPv6", func(e *Env, m omp.Message) bool {
		for _, r := range reachesOf(m, withdrawn, omp.SAFITLOC) {
			if r.AFI != omp.AFIIPv6 {
				return false
			}
		}
		return p.Fn(e, m)
	}}
}

func ownTLOCIn(withdrawn bool, what string, own func(*Env) omp.TLOCNLRI) Pred {
	what = "it advertises the " + what + " its operator originated"
	if withdrawn {
		what = strings.Replace(what, "advertises", "withdraws", 1)
	}
	return Pred{what, func(e *Env, m omp.Message) bool {
		o := own(e)
		return tlocIn(m, withdrawn, func(t omp.TLOCNLRI) bool { return t == o })
	}}
}

// HasMulticast: the message advertises a multicast route of type t in the
// case run's VPN.
func HasMulticast(t omp.McastType) Pred { return multicastIn(t, false) }

// WithdrawsMulticast: the message withdraws a multicast route of type t
// in the case run's VPN.
func WithdrawsMulticast(t omp.McastType) Pred { return multicastIn(t, true) }

// HasMulticastAsSent: the message advertises multicast route n, in the
// case run's VPN, field for field as n has it: its pruned sources too.
func HasMulticastAsSent(n omp.MulticastNLRI) Pred {
	what := fmt.Sprintf("it advertises the %s route as sent, with its %d pruned sources", n.McastType, len(n.Prunes))
	return multicastWhere(what, false, func(e *Env, got omp.MulticastNLRI) bool {
		n.VPNID = e.VPN()
		return reflect.DeepEqual(got, n)
	})
}

func multicastIn(t omp.McastType, withdrawn bool) Pred {
	what := "it advertises a " + t.String() + " route"
	if withdrawn {
		what = "it withdraws a " + t.String() + " route"
	}
	return multicastWhere(what, withdrawn, func(e *Env, n omp.MulticastNLRI) bool { return n.McastType == t && n.VPNID == e.VPN() })
}

// multicastWhere: the message advertises (or, with withdrawn, withdraws)
// a multicast route that match takes.
func multicastWhere(what string, withdrawn bool, match func(e *Env, n omp.MulticastNLRI) bool) Pred {
	return Pred{what, func(e *Env, m omp.Message) bool {
		for _, r := range reachesOf(m, withdrawn, omp.SAFIMulticast) {
			if slices.ContainsFunc(r.Multicast, func(n omp.MulticastNLRI) bool { return match(e, n) }) {
				return true
			}
		}
		return false
	}}
}

// AttrEquals: the message carries attribute v (by type), equal to v.
func AttrEquals(v omp.AttrValue) Pred {
	return Pred{fmt.Sprintf("it carries %s %s", v.AttrType(), valueText(v)), func(_ *Env, m omp.Message) bool {
		got, ok := omp.Find(attrsOf(m), v.AttrType())
		return ok && reflect.DeepEqual(got, v)
	}}
}

func valueText(v omp.AttrValue) string {
	s := fmt.Sprintf("%+v", v)
	return strings.TrimPrefix(s, "&")
}

// IsEOR: an INFORM OMP_INFORM_EOR.
func IsEOR() Pred {
	return Pred{"it is OMP_INFORM_EOR", func(_ *Env, m omp.Message) bool {
		i, ok := m.(*omp.Inform)
		return ok && i.InformType == omp.InformEOR
	}}
}

// HasCap: a HANDSHAKE carrying capability c.
func HasCap(c omp.CapCode) Pred {
	return Pred{"it carries the " + c.String() + " capability", func(_ *Env, m omp.Message) bool {
		h, ok := m.(*omp.Handshake)
		return ok && slices.ContainsFunc(h.Capabilities(), func(x omp.Capability) bool { return x.CapCode() == c })
	}}
}

// IdentityOfDUT: a HANDSHAKE whose IDENTITY Peer Type is the DUT's role.
func IdentityOfDUT() Pred {
	return Pred{"its IDENTITY is the DUT's role", func(e *Env, m omp.Message) bool {
		h, ok := m.(*omp.Handshake)
		if !ok {
			return false
		}
		id, ok := omp.CapOf[*omp.CapIdentity](h)
		return ok && (e.Role == 0 || RoleSet(omp.RoleOf(id.PeerType)) == e.Role)
	}}
}

// HandshakeValid: a HANDSHAKE as the draft draws it: Version 1, a Hold
// Time of 0 or at least 3, a non-zero Peer Router ID (the decoder refuses
// anything else, so a HANDSHAKE that reached here has these), and the
// Domain ID the harness's fake peers use.
func HandshakeValid() Pred {
	return Pred{"Version 1, Hold Time 0 or >= 3, a Router ID", func(_ *Env, m omp.Message) bool {
		h, ok := m.(*omp.Handshake)
		return ok && h.Version == omp.Version && (h.HoldTime == 0 || h.HoldTime >= 3) && h.PeerRouterID.IsValid() && !h.PeerRouterID.IsUnspecified()
	}}
}

// ---- best path ---------------------------------------------------------------

// adjIn is what a fake peer holds of the case run's vRoutes, as the
// DUT's UPDATEs on its session advertised and withdrew them: each path
// (prefix and Path ID) and the TLOC it goes via. A path the DUT
// advertised and never withdrew is still held, however long ago.
type adjIn map[adjKey]netip.Addr

type adjKey struct {
	prefix netip.Prefix
	pathID uint32
}

// maxAdjIn bounds what a session's adjIn keeps: a case advertises a few
// prefixes.
const maxAdjIn = 4096

// take applies m, an UPDATE of the DUT's, to a.
func (a adjIn) take(e *Env, m omp.Message) adjIn {
	if m.Type() != omp.TypeUpdate {
		return a
	}
	for _, r := range reachesOf(m, true, omp.SAFIVRoute) {
		for _, v := range r.VRoutes {
			if v.VPNID == e.VPN() {
				delete(a, adjKey{v.Prefix(), v.PathID})
			}
		}
	}
	var tloc netip.Addr
	if v, ok := omp.Find(attrsOf(m), omp.AttrTypeTLOC); ok {
		tloc = v.(*omp.AttrTLOC).Address
	}
	for _, r := range reachesOf(m, false, omp.SAFIVRoute) {
		for _, v := range r.VRoutes {
			if v.VPNID != e.VPN() || len(a) >= maxAdjIn {
				continue
			}
			if a == nil {
				a = adjIn{}
			}
			a[adjKey{v.Prefix(), v.PathID}] = tloc
		}
	}
	return a
}

// bestPaths is what an expectation of the DUT's best paths to prefix wants:
// one via every winner's TLOC and none via a loser's.
type bestPaths struct {
	prefix string
	win    []int
	lose   []int
	v6     bool // the paths go via the peers' IPv6 TLOCs (PeerID.TLOC6)
}

// tloc is the TLOC address of fake peer i's paths.
func (ps bestPaths) tloc(x *Exec, i int) netip.Addr {
	if ps.v6 {
		return x.Env.Peer(i).TLOC6
	}
	return x.Env.Peer(i).TLOC
}

type bestPathExp struct{ bestPaths }

// BestPath expects the DUT, a controller that has heard prefix from fake
// peers winner and losers, to advertise to the observing peer the path via
// winner's TLOC and none via a loser's, once it settles (Env.Answer).
func BestPath(prefix string, winner int, losers ...int) Expectation {
	return bestPathExp{bestPaths{prefix: prefix, win: []int{winner}, lose: losers}}
}

// AllPaths expects the DUT to advertise the paths via every peer given:
// "the routing controller chooses both of them".
func AllPaths(prefix string, peers ...int) Expectation {
	return bestPathExp{bestPaths{prefix: prefix, win: peers}}
}

func (b bestPathExp) String() string {
	s := fmt.Sprintf("%s advertised via %s", b.prefix, peerList(b.win))
	if len(b.lose) > 0 {
		s += fmt.Sprintf(" and not via %s", peerList(b.lose))
	}
	return s
}

func peerList(ps []int) string {
	var s []string
	for _, p := range ps {
		s = append(s, fmt.Sprintf("peer%d's TLOC", p))
	}
	return strings.Join(s, " and ")
}

func (bestPathExp) Alerts() []omp.AlertID { return nil }

func (b bestPathExp) check(x *Exec, peer int) Verdict {
	p := netip.MustParsePrefix(b.prefix)
	// The wait lets the DUT settle; what peer holds then, from every
	// UPDATE of the case (adjIn), is judged: a loser advertised before
	// and never withdrawn is still held.
	ev := x.watch(peer, x.Env.Answer, 0, nil, b.String(), func(ev Event) bool {
		_, ok := ev.Alert()
		return ok
	})
	if ev.Kind != EvTimeout {
		return verdict(Fail, b, ev.String(), "the session did not stay up")
	}
	have := map[netip.Addr]bool{}
	var got []string
	for k, t := range x.adjIn[peer] {
		if k.prefix != p {
			continue
		}
		if !have[t] {
			got = append(got, t.String())
		}
		have[t] = true
	}
	slices.Sort(got)
	rec := "paths via TLOC " + strings.Join(got, ", ")
	if len(got) == 0 {
		rec = fmt.Sprintf("no path for %s within %s", b.prefix, x.Env.Answer)
	}
	return b.grade(x, b, have, rec, "a losing path via peer%d is held (advertised, never withdrawn)")
}

// grade grades e by the paths seen, by the TLOCs they go via (have): a
// Fail when a winner's TLOC has none or a loser's has one (loser is the
// reason's format, of the loser's peer index), else a Pass; rec is what
// was received.
func (ps bestPaths) grade(x *Exec, e Expectation, have map[netip.Addr]bool, rec, loser string) Verdict {
	for _, w := range ps.win {
		if !have[ps.tloc(x, w)] {
			return verdict(Fail, e, rec, fmt.Sprintf("no path via peer%d", w))
		}
	}
	for _, l := range ps.lose {
		if have[ps.tloc(x, l)] {
			return verdict(Fail, e, rec, fmt.Sprintf(loser, l))
		}
	}
	return verdict(Pass, e, rec, "")
}
