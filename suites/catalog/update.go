package catalog

import (
	"net/netip"
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
func TLOC() A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrTLOC{Address: e.Peer(i).TLOC, Color: TLOCColor, Encap: TLOCEncap})
	}
}

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
		r.VRoutes = append(r.VRoutes, omp.VRouteNLRI{VPNID: e.VPN(), PathID: uint32(1 + i), Label: 1000 + uint32(i), PrefixLen: uint8(p.Bits()), Address: p.Addr()})
	}
	return r
}

// TLOCRoutes is ATTR_TYPE_REACHABLES of SAFI_TLOC: the fake peer's TLOC.
func TLOCRoutes() A {
	return func(e *Env, i int) omp.Attribute {
		return omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC,
			TLOCs: []omp.TLOCNLRI{{Address: e.Peer(i).TLOC, Color: TLOCColor, Encap: TLOCEncap}}}})
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
	for _, a := range build(DefaultEnv(Controller), 0) {
		names = append(names, strings.TrimPrefix(a.Type().String(), "ATTR_TYPE_"))
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

// RouteUpdate is the standard route advertisement: ATTR_TYPE_TLOC (the
// fake peer's TLOC, attr[0]), ATTR_TYPE_REACHABLES with DefaultPrefix
// (attr[1]), then extra from attr[2] on.
func RouteUpdate(extra ...A) M {
	return Update(append([]A{TLOC(), VRoutes(DefaultPrefix)}, extra...)...)
}
