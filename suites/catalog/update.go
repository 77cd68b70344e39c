package catalog

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// A builds one attribute for fake peer i of a case run.
type A func(e *Env, peer int) omp.Attribute

// Attr is a fixed attribute with no flags set.
func Attr(v omp.AttrValue) A { return AttrFlags(0, v) }

// AttrFlags is a fixed attribute with the given flags.
func AttrFlags(f omp.AttrFlags, v omp.AttrValue) A {
	return func(*Env, int) omp.Attribute { return omp.Attribute{Flags: f, Value: v} }
}

// Optional is a fixed ATTR_OPTIONAL attribute.
func Optional(v omp.AttrValue) A { return AttrFlags(omp.AttrOptional, v) }

// Encap values of a TLOC (the draft names none; GRE 1 and IPsec 2 as in
// ATTR_TYPE_TLOC_ENCAP).
const (
	TLOCColor = 1
	TLOCEncap = uint8(omp.EncapIPsec)
)

// TLOC is ATTR_TYPE_TLOC naming the fake peer's own TLOC: the next hop
// of its vRoutes.
func TLOC(color ...uint8) A {
	c := uint8(TLOCColor)
	if len(color) > 0 {
		c = color[0]
	}
	return nextHop(c, func(p PeerID) netip.Addr { return p.TLOC })
}

// TLOC6 is ATTR_TYPE_TLOC naming the fake peer's IPv6 TLOC
// (PeerID.TLOC6), of color TLOCColor: the next hop of vRoutes over it.
func TLOC6() A { return nextHop(TLOCColor, func(p PeerID) netip.Addr { return p.TLOC6 }) }

// nextHop is ATTR_TYPE_TLOC naming the fake peer's TLOC of color c at
// the address addr gives.
func nextHop(c uint8, addr func(PeerID) netip.Addr) A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrTLOC{Address: addr(e.Peer(i)), Color: c, Encap: TLOCEncap})
	}
}

// pref is ATTR_TYPE_PREF with preference v.
func pref(v uint32) A { return Attr(&omp.AttrPref{Preference: v}) }

// labelOf is the Label of fake peer i's vRoutes.
func labelOf(i int) uint32 { return 1000 + uint32(i) }

// origin is ATTR_TYPE_ORIGIN with protocol proto (ompconform's numbers:
// the draft gives none).
func origin(proto uint8) A { return originMetric(proto, 0) }

// originMetric is ATTR_TYPE_ORIGIN with protocol proto and metric m.
func originMetric(proto uint8, m uint32) A { return Attr(&omp.AttrOrigin{Proto: proto, Metric: m}) }

// DefaultPrefix is the vRoute the standard route UPDATE carries, in the
// case run's own VPN.
const DefaultPrefix = "192.168.1.0/24"

// VRoutes is ATTR_TYPE_REACHABLES of SAFI_VROUTE with the prefixes (all
// of one family) in the case run's VPN.
func VRoutes(prefixes ...string) A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrReachables{Reach: vrouteReach(e, i, prefixes)})
	}
}

// WithdrawVRoutes is ATTR_TYPE_UNREACHABLES of SAFI_VROUTE.
func WithdrawVRoutes(prefixes ...string) A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrUnreachables{Reach: vrouteReach(e, i, prefixes)})
	}
}

func vrouteReach(e *Env, i int, prefixes []string) omp.Reach {
	r := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	for _, s := range prefixes {
		p := netip.MustParsePrefix(s)
		if p.Addr().Is6() {
			r.AFI = omp.AFIIPv6
		}
		r.VRoutes = append(r.VRoutes, omp.VRouteNLRI{VPNID: e.VPN(), PathID: uint32(1 + i), Label: labelOf(i), PrefixLen: uint8(p.Bits()), Address: p.Addr()})
	}
	return r
}

// TLOCRoutes is ATTR_TYPE_REACHABLES of SAFI_TLOC: the fake peer's TLOC,
// of color TLOCColor, or one NLRI of each of colors.
func TLOCRoutes(colors ...uint8) A {
	if len(colors) == 0 {
		colors = []uint8{TLOCColor}
	}
	return func(e *Env, i int) omp.Attribute {
		r := omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
		for _, c := range colors {
			r.TLOCs = append(r.TLOCs, omp.TLOCNLRI{Address: e.Peer(i).TLOC, Color: c, Encap: TLOCEncap})
		}
		return omp.Attr(&omp.AttrReachables{Reach: r})
	}
}

// TLOC6Routes is ATTR_TYPE_REACHABLES of AFI_IPv6/SAFI_TLOC: the fake
// peer's IPv6 TLOC (PeerID.TLOC6), of color TLOCColor.
func TLOC6Routes() A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC,
			TLOCs: []omp.TLOCNLRI{{Address: e.Peer(i).TLOC6, Color: TLOCColor, Encap: TLOCEncap}}}})
	}
}

// WithdrawTLOCRoutes is ATTR_TYPE_UNREACHABLES of SAFI_TLOC: the fake
// peer's TLOC withdrawn, of color TLOCColor, or one NLRI of each of
// colors.
func WithdrawTLOCRoutes(colors ...uint8) A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrUnreachables{Reach: TLOCRoutes(colors...)(e, i).Value.(*omp.AttrReachables).Reach})
	}
}

// Reach is ATTR_TYPE_REACHABLES with r, its VPN IDs (vRoutes, multicast)
// set to the case run's VPN.
func Reach(r omp.Reach) A {
	return func(e *Env, _ int) omp.Attribute { return omp.Attr(&omp.AttrReachables{Reach: inVPN(e, r)}) }
}

// Unreach is ATTR_TYPE_UNREACHABLES with r, in the case run's VPN.
func Unreach(r omp.Reach) A {
	return func(e *Env, _ int) omp.Attribute { return omp.Attr(&omp.AttrUnreachables{Reach: inVPN(e, r)}) }
}

func inVPN(e *Env, r omp.Reach) omp.Reach {
	r.VRoutes = append([]omp.VRouteNLRI(nil), r.VRoutes...)
	for i := range r.VRoutes {
		r.VRoutes[i].VPNID = e.VPN()
	}
	r.Multicast = append([]omp.MulticastNLRI(nil), r.Multicast...)
	for i := range r.Multicast {
		r.Multicast[i].VPNID = e.VPN()
	}
	return r
}

// Update is an UPDATE with the attributes, in order.
func Update(attrs ...A) M {
	return attrMessage(omp.TypeUpdate, attrs)
}

// Query is a QUERY with the attributes, in order.
func Query(attrs ...A) M {
	return attrMessage(omp.TypeQuery, attrs)
}

func attrMessage(t omp.MsgType, attrs []A) M {
	build := func(e *Env, i int) []omp.Attribute {
		out := make([]omp.Attribute, len(attrs))
		for k, a := range attrs {
			out[k] = a(e, i)
		}
		return out
	}
	var names []string
	e := DefaultEnv(Controller)
	other := build(e, 1)
	for k, a := range build(e, 0) {
		names = append(names, attrWords(a, other[k]))
	}
	desc := t.String() + " with no attributes"
	if len(names) > 0 {
		desc = t.String() + " (" + strings.Join(names, ", ") + ")"
	}
	return M{typ: t, desc: desc, make: func(e *Env, i int) omp.Message {
		if t == omp.TypeQuery {
			return &omp.Query{Attributes: build(e, i)}
		}
		return &omp.Update{Attributes: build(e, i)}
	}}
}

// firstPathID is the Path ID of RouteUpdate's vRoute, to set another
// router's: RouteUpdate().Mutate(firstPathID, Set(1)).
const firstPathID = "update.attr[1].value.nlri[0].path_id"

// RouteUpdate is the standard route advertisement: ATTR_TYPE_TLOC (the
// fake peer's TLOC, attr[0]), ATTR_TYPE_REACHABLES with DefaultPrefix
// (attr[1]), then extra from attr[2] on.
func RouteUpdate(extra ...A) M {
	return Update(append([]A{TLOC(), VRoutes(DefaultPrefix)}, extra...)...)
}

// attrWords is an attribute in a few words, for a message's description:
// its type, then its value unless that is the standard one (the fake
// peer's own TLOC, DefaultPrefix) or depends on the sending peer (a, as
// peer0 builds it, differs from b, as peer1 does).
func attrWords(a, b omp.Attribute) string {
	w := strings.TrimPrefix(a.Type().String(), "ATTR_TYPE_")
	var v string
	switch x := a.Value.(type) {
	case *omp.AttrReachables:
		v = reachWords(x.Reach, b.Value.(*omp.AttrReachables).Reach)
	case *omp.AttrUnreachables:
		v = reachWords(x.Reach, b.Value.(*omp.AttrUnreachables).Reach)
	case *omp.RawAttr:
		v = fmt.Sprintf("%x", x.Data)
	default:
		if reflect.DeepEqual(a.Value, b.Value) {
			v = strings.TrimPrefix(fmt.Sprintf("%+v", a.Value), "&")
		}
	}
	if v != "" {
		w += " " + v
	}
	if a.Flags != 0 {
		w += " flags " + a.Flags.String()
	}
	return w
}

// reachWords is an NLRI list in a few words: "of" its routes (vRoute
// prefixes, TLOC addresses, multicast types), unless they are
// DefaultPrefix; the sending peer's own TLOC (r, as peer0 builds it,
// differs from o, as peer1 does) is "its TLOC".
func reachWords(r, o omp.Reach) string {
	var w []string
	switch {
	case r.SAFI == omp.SAFIVRoute:
		var ps []string
		for _, n := range r.VRoutes {
			ps = append(ps, netip.PrefixFrom(n.Address, int(n.PrefixLen)).String())
		}
		if r.AFI != omp.AFIIPv4 && r.AFI != omp.AFIIPv6 || !slices.Equal(ps, []string{DefaultPrefix}) {
			w = append(w, "of "+strings.Join(ps, ", "))
		}
	case r.SAFI == omp.SAFITLOC && !reflect.DeepEqual(r.TLOCs, o.TLOCs):
		w = append(w, "of its TLOC")
		if r.AFI == omp.AFIIPv6 {
			w[len(w)-1] = "of its IPv6 TLOC"
		}
		if len(r.TLOCs) != 1 || r.TLOCs[0].Color != TLOCColor {
			var cs []string
			for _, t := range r.TLOCs {
				cs = append(cs, fmt.Sprint(t.Color))
			}
			w = append(w, "of colors "+strings.Join(cs, ", "))
		}
	case r.SAFI == omp.SAFITLOC:
		var ts []string
		for _, t := range r.TLOCs {
			ts = append(ts, t.Address.String())
		}
		w = append(w, "of TLOC "+strings.Join(ts, ", "))
	case len(r.Multicast) > 0:
		var ms []string
		for _, m := range r.Multicast {
			ms = append(ms, m.McastType.String())
		}
		w = append(w, r.AFI.String()+" multicast "+strings.Join(ms, ", "))
	default:
		w = append(w, fmt.Sprintf("of %d bytes of %s/%s", len(r.Raw), r.AFI, r.SAFI))
	}
	return strings.Join(w, " ")
}
