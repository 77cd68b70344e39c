package rib

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

var a = netip.MustParseAddr

func newRIB(t testing.TB, role omp.Role, rid string, site uint32) *RIB {
	t.Helper()
	r, err := New(Config{Role: role, RouterID: a(rid), SiteID: site})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func peerUp(t testing.TB, r *RIB, rid string, site uint32, gr time.Duration) PeerID {
	t.Helper()
	id, err := r.PeerUp(PeerInfo{RouterID: a(rid), SiteID: site, Type: omp.PeerTypeVEdge, GracefulRestart: gr})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func apply(t testing.TB, r *RIB, id PeerID, u *omp.Update) {
	t.Helper()
	if err := r.Apply(id, wireUpdate(t, u)); err != nil {
		t.Fatal(err)
	}
}

// wireUpdate is u as a peer's UPDATE reaches the RIB: encoded and decoded
// (every UPDATE a test feeds must be one the codec accepts).
func wireUpdate(t testing.TB, u *omp.Update) *omp.Update {
	t.Helper()
	return onWire(t, u)
}

// onWire is m encoded and decoded again: what a peer's m is once read.
func onWire[M omp.Message](t testing.TB, m M) M {
	t.Helper()
	wire, err := omp.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	d, err := omp.Decode(wire)
	if err != nil {
		t.Fatalf("test %s does not decode: %v", m.Type(), err)
	}
	return d.(M)
}

func vroute(vpn uint64, prefix string, pathID, label uint32) omp.VRouteNLRI {
	p := netip.MustParsePrefix(prefix)
	return omp.VRouteNLRI{VPNID: vpn, PathID: pathID, Label: label, PrefixLen: uint8(p.Bits()), Address: p.Addr()}
}

func tlocN(addr string, color, encap uint8) omp.TLOCNLRI {
	return omp.TLOCNLRI{Address: a(addr), Color: color, Encap: encap}
}

func afiOf(ad netip.Addr) omp.AFI {
	if ad.Is4() {
		return omp.AFIIPv4
	}
	return omp.AFIIPv6
}

// advV is an UPDATE advertising vRoutes via TLOC nh with extra attributes.
func advV(nh omp.TLOCNLRI, vs []omp.VRouteNLRI, extra ...omp.AttrValue) *omp.Update {
	extra = append([]omp.AttrValue{&omp.AttrTLOC{Address: nh.Address, Color: nh.Color, Encap: nh.Encap}}, extra...)
	return reachUpd(omp.Reach{AFI: afiOf(vs[0].Address), SAFI: omp.SAFIVRoute, VRoutes: vs}, false, extra...)
}

func advT(ts []omp.TLOCNLRI, extra ...omp.AttrValue) *omp.Update {
	return reachUpd(omp.Reach{AFI: afiOf(ts[0].Address), SAFI: omp.SAFITLOC, TLOCs: ts}, false, extra...)
}

func wdV(vs []omp.VRouteNLRI, extra ...omp.AttrValue) *omp.Update {
	return reachUpd(omp.Reach{AFI: afiOf(vs[0].Address), SAFI: omp.SAFIVRoute, VRoutes: vs}, true, extra...)
}

func wdT(ts []omp.TLOCNLRI) *omp.Update {
	return reachUpd(omp.Reach{AFI: afiOf(ts[0].Address), SAFI: omp.SAFITLOC, TLOCs: ts}, true)
}

// reachUpd is an UPDATE with extra attributes, then rc in
// ATTR_TYPE_REACHABLES (ATTR_TYPE_UNREACHABLES when withdraw).
func reachUpd(rc omp.Reach, withdraw bool, extra ...omp.AttrValue) *omp.Update {
	u := &omp.Update{}
	for _, x := range extra {
		u.Attributes = append(u.Attributes, omp.Attr(x))
	}
	var v omp.AttrValue = &omp.AttrReachables{Reach: rc}
	if withdraw {
		v = &omp.AttrUnreachables{Reach: rc}
	}
	u.Attributes = append(u.Attributes, omp.Attribute{Flags: omp.AttrExtended, Value: v})
	return u
}

// ident names a path as a receiver sees it.
type ident struct {
	fam    omp.Family
	dst    string // "vpn:prefix", TLOC "addr/color/encap", multicast hex
	pathID uint32
	orig   netip.Addr
}

// identOf is the identity of a path of the Loc-RIB.
func identOf(rt Route) ident {
	id := ident{rt.Family, "", rt.PathID, rt.Originator}
	switch {
	case rt.Family.SAFI == omp.SAFITLOC:
		id.dst = fmt.Sprintf("%v/%d/%d", rt.TLOC.Address, rt.TLOC.Color, rt.TLOC.Encap)
	case rt.Multicast != nil:
		id.dst = fmt.Sprintf("%x", rt.Multicast)
	case rt.Raw != nil:
		id.dst = fmt.Sprintf("%x", rt.Raw)
	default:
		id.dst = fmt.Sprintf("%d:%v", rt.VPN, rt.Prefix)
	}
	return id
}

func (i ident) String() string {
	return fmt.Sprintf("%v %s #%d from %v", i.fam, i.dst, i.pathID, i.orig)
}

// view is a receiver: it applies the messages Next produces, as the
// reference's own Apply would, and counts what it got.
type view struct {
	t       testing.TB
	routes  map[ident][]omp.Attribute
	labels  map[ident]uint32 // of the routes
	adds    map[ident]int
	wds     map[ident]int
	eors    []omp.Family
	msgs    int
	updates int
}

func newView(t testing.TB) *view {
	return &view{t: t, routes: map[ident][]omp.Attribute{}, labels: map[ident]uint32{}, adds: map[ident]int{}, wds: map[ident]int{}}
}

func reachIdents(rc *omp.Reach, orig netip.Addr) []ident {
	var out []ident
	f := omp.Family{AFI: rc.AFI, SAFI: rc.SAFI}
	for _, v := range rc.VRoutes {
		out = append(out, ident{f, fmt.Sprintf("%d:%v", v.VPNID, v.Prefix()), v.PathID, orig})
	}
	for _, t := range rc.TLOCs {
		out = append(out, ident{f, fmt.Sprintf("%v/%d/%d", t.Address, t.Color, t.Encap), 0, orig})
	}
	for i := range rc.Multicast {
		b, _ := mcastBytes(rc.AFI, &rc.Multicast[i])
		out = append(out, ident{f, fmt.Sprintf("%x", b), 0, orig})
	}
	if len(rc.Raw) > 0 { // a family without NLRI format: one opaque route
		out = append(out, ident{f, fmt.Sprintf("%x", rc.Raw), 0, orig})
	}
	return out
}

// feed splits buf into messages, checks each, and applies them.
func (v *view) feed(buf []byte) {
	v.t.Helper()
	for len(buf) > 0 {
		if len(buf) < omp.HeaderLen {
			v.t.Fatalf("%d trailing bytes", len(buf))
		}
		n := int(binary.BigEndian.Uint16(buf[16:]))
		if n > omp.MaxMessageLen || n > len(buf) {
			v.t.Fatalf("message of %d bytes (buffer %d)", n, len(buf))
		}
		m, err := omp.Decode(buf[:n])
		if err != nil {
			v.t.Fatalf("message %d does not decode: %v\n%x", v.msgs, err, buf[:n])
		}
		buf = buf[n:]
		v.msgs++
		switch m := m.(type) {
		case *omp.Inform:
			if m.InformType != omp.InformEOR {
				v.t.Fatalf("unexpected %v", m.InformType)
			}
			v.eors = append(v.eors, omp.Family{AFI: m.AFI, SAFI: m.SAFI})
		case *omp.Update:
			v.updates++
			var orig netip.Addr
			var attrs []omp.Attribute
			for _, at := range m.Attributes {
				if o, ok := at.Value.(*omp.AttrOriginator); ok {
					orig = o.Originator
				}
			}
			for _, at := range m.Attributes {
				switch x := at.Value.(type) {
				case *omp.AttrUnreachables:
					for _, id := range reachIdents(&x.Reach, orig) {
						v.wds[id]++
						delete(v.routes, id)
						delete(v.labels, id)
					}
				case *omp.AttrReachables:
				default:
					attrs = append(attrs, at)
				}
			}
			for _, at := range m.Attributes {
				if x, ok := at.Value.(*omp.AttrReachables); ok {
					if !orig.IsValid() {
						v.t.Fatalf("advertisement without ORIGINATOR")
					}
					for i, id := range reachIdents(&x.Reach, orig) {
						v.adds[id]++
						v.routes[id] = attrs
						v.labels[id] = 0
						if i < len(x.VRoutes) { // reachIdents lists them first
							v.labels[id] = x.VRoutes[i].Label
						}
					}
				}
			}
		default:
			v.t.Fatalf("unexpected %T", m)
		}
	}
}

// drain runs Next for peer id until nothing is pending and feeds v.
func (v *view) drain(r *RIB, id PeerID) {
	v.t.Helper()
	var buf []byte
	for i := 0; ; i++ {
		var more bool
		buf, more = r.Next(id, buf[:0])
		v.feed(buf)
		if !more {
			break
		}
		if i > 1e6 {
			v.t.Fatal("Next never finishes")
		}
	}
}

func (v *view) reset() {
	v.adds, v.wds, v.eors, v.msgs, v.updates = map[ident]int{}, map[ident]int{}, nil, 0, 0
}

func (v *view) has(fam omp.Family, dst string, pathID uint32, orig string) bool {
	_, ok := v.routes[ident{fam, dst, pathID, a(orig)}]
	return ok
}

func findAttr[T omp.AttrValue](attrs []omp.Attribute) (T, bool) {
	for _, at := range attrs {
		if x, ok := at.Value.(T); ok {
			return x, true
		}
	}
	var z T
	return z, false
}

// byOrigin is what a controller's peer holds, or should, as it can be
// matched: without Path IDs, which a controller assigns itself
// (RIB.pathIDFor); each (destination, originator) lists the texts of its
// paths, sorted. It fails t if two vRoute paths of one destination share
// a Path ID, which RFC 7911 3 forbids a sender.
func byOrigin[V any](t testing.TB, m map[ident]V, text func(V) string, sent bool) map[ident][]string {
	t.Helper()
	out := map[ident][]string{}
	ids := map[ident]bool{}
	for id, v := range m {
		if k := (ident{fam: id.fam, dst: id.dst, pathID: id.pathID}); sent && ids[k] && id.fam.SAFI == omp.SAFIVRoute {
			t.Errorf("two paths of %v %s sent with Path ID %d", id.fam, id.dst, id.pathID)
		} else {
			ids[k] = true
		}
		k := id
		k.pathID = 0
		out[k] = append(out[k], text(v))
	}
	for _, ts := range out {
		slices.Sort(ts)
	}
	return out
}

// hasFrom reports whether v holds a path to dst from orig, whatever its
// Path ID (a controller numbers what it passes on).
func (v *view) hasFrom(fam omp.Family, dst string, orig string) bool {
	for id := range v.routes {
		if id.fam == fam && id.dst == dst && id.orig == a(orig) {
			return true
		}
	}
	return false
}

// withdrawnFrom counts the withdrawals v got of dst's paths from orig.
func (v *view) withdrawnFrom(fam omp.Family, dst string, orig string) int {
	n := 0
	for id, c := range v.wds {
		if id.fam == fam && id.dst == dst && id.orig == a(orig) {
			n += c
		}
	}
	return n
}

// pathIDs are the Path IDs of the paths to dst v holds, sorted.
func (v *view) pathIDs(fam omp.Family, dst string) []uint32 {
	var ids []uint32
	for id := range v.routes {
		if id.fam == fam && id.dst == dst {
			ids = append(ids, id.pathID)
		}
	}
	slices.Sort(ids)
	return ids
}

// from is the attributes of v's path to dst from orig, whatever its
// Path ID (nil: none).
func (v *view) from(fam omp.Family, dst string, orig string) []omp.Attribute {
	for id, attrs := range v.routes {
		if id.fam == fam && id.dst == dst && id.orig == a(orig) {
			return attrs
		}
	}
	return nil
}
