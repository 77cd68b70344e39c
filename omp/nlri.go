package omp

import "net/netip"

// Reach is the data of ATTR_TYPE_REACHABLES and ATTR_TYPE_UNREACHABLES
// (section 3.1.3.12): AFI (2 bytes), SAFI (1), NLRI Length (2), then NLRI
// of that family back to back. The NLRI go in the slice that matches the
// SAFI; a SAFI the draft gives no NLRI format for keeps them in Raw.
type Reach struct {
	AFI       AFI
	SAFI      SAFI
	TLOCs     []TLOCNLRI      // SAFI_TLOC
	VRoutes   []VRouteNLRI    // SAFI_VROUTE
	Multicast []MulticastNLRI // SAFI_MULTICASE
	Raw       []byte          // any other SAFI
}

// AttrReachables is ATTR_TYPE_REACHABLES: routes advertised.
type AttrReachables struct{ Reach }

func (*AttrReachables) AttrType() AttrType { return AttrTypeReachables }

// AttrUnreachables is ATTR_TYPE_UNREACHABLES: routes withdrawn.
type AttrUnreachables struct{ Reach }

func (*AttrUnreachables) AttrType() AttrType { return AttrTypeUnreachables }

// ReachOf is the Reach of an ATTR_TYPE_REACHABLES value or, withdrawn, of
// an ATTR_TYPE_UNREACHABLES one; nil for any other attribute value.
func ReachOf(v AttrValue) (r *Reach, withdrawn bool) {
	switch v := v.(type) {
	case *AttrReachables:
		return &v.Reach, false
	case *AttrUnreachables:
		return &v.Reach, true
	}
	return nil, false
}

func (r *Reach) walk(w *walker) {
	enumField(w, "afi", &r.AFI)
	enumField(w, "safi", &r.SAFI)
	if !w.ok() {
		return
	}
	n := r.AFI.addrLen()
	known := r.SAFI == SAFITLOC || r.SAFI == SAFIVRoute || r.SAFI == SAFIMulticast
	if known && n == 0 {
		if w.decode {
			w.failAt(errUpBadNet, "afi", w.off-3, 2, "AFI %d is neither AFI_IPV4 nor AFI_IPv6", uint16(r.AFI))
			return
		}
		if r.Len() > 0 {
			w.encFail("%s: NLRI of AFI %d, which has no address size", w.name("afi"), uint16(r.AFI))
			if !w.ok() {
				return
			}
		}
	}
	w.length2("nlri_length", "nlri", errUpBadNet, func() {
		switch r.SAFI {
		case SAFITLOC:
			fixedList(w, "nlri", &r.TLOCs, tlocNLRI, n)
		case SAFIVRoute:
			fixedList(w, "nlri", &r.VRoutes, vrouteNLRI, n)
		case SAFIMulticast:
			listOf(w, "nlri", &r.Multicast, 0, n, (*MulticastNLRI).walk)
		default:
			w.bytes("raw", &r.Raw, -1)
		}
	})
}

// Len is the number of NLRI.
func (r *Reach) Len() int { return len(r.TLOCs) + len(r.VRoutes) + len(r.Multicast) }

// TLOCNLRI is a TLOC route (SAFI_TLOC): address (4 or 16), Color, Encap.
type TLOCNLRI struct {
	Address netip.Addr
	Color   uint8
	Encap   uint8
}

// tlocNLRI is TLOCNLRI's layout compiled for bulk decoding (fixed.go).
var tlocNLRI = newFixedLayout((*TLOCNLRI).walk, 4, 16)

func (t *TLOCNLRI) walk(w *walker, n int) {
	w.addr("address", &t.Address, n)
	w.u8("color", &t.Color)
	w.u8("encap", &t.Encap)
}

// VRouteNLRI is a vRoute (SAFI_VROUTE): VPN ID (8), Path ID (4), Label
// (3), Prefix length (1), and the full address (4 or 16): 20 or 32 bytes.
// The draft draws Path ID as 3 bytes; the row totals make it 4.
type VRouteNLRI struct {
	VPNID     uint64
	PathID    uint32
	Label     uint32 // 24 bits
	PrefixLen uint8
	Address   netip.Addr
}

// Prefix is the route's prefix, with host bits cleared.
func (v *VRouteNLRI) Prefix() netip.Prefix {
	p, _ := v.Address.Prefix(int(v.PrefixLen))
	return p
}

// vrouteNLRI is VRouteNLRI's layout compiled for bulk decoding (fixed.go).
var vrouteNLRI = newFixedLayout((*VRouteNLRI).walk, 4, 16)

func (v *VRouteNLRI) walk(w *walker, n int) {
	w.u64("vpn_id", &v.VPNID)
	w.u32("path_id", &v.PathID)
	w.u24("label", &v.Label)
	w.prefixLen("prefix_length", &v.PrefixLen, n, "Prefix length")
	w.addr("address", &v.Address, n)
}

// PrunedSource is one entry of a multicast NLRI's prune list.
type PrunedSource struct {
	PrefixLen uint8
	Address   netip.Addr
}

// MulticastNLRI is a multicast route (SAFI_MULTICASE). MCAST_TYPE AD (1):
// VPN ID (8), Label (3), Source Originator (4). JOIN_XG, JOIN_SG and SA:
// VPN ID, Source Originator, Destination Originator, source prefix length
// and RP or source address, group prefix length and group address, Prune
// Count (2) and the pruned sources.
type MulticastNLRI struct {
	McastType             McastType
	VPNID                 uint64
	Label                 uint32 // AD only
	SourceOriginator      netip.Addr
	DestinationOriginator netip.Addr
	SourcePrefixLen       uint8
	Source                netip.Addr // RP or source
	GroupPrefixLen        uint8
	Group                 netip.Addr
	Prunes                []PrunedSource
}

func (m *MulticastNLRI) walk(w *walker, n int) {
	at := w.pos()
	enumField(w, "mcast_type", &m.McastType)
	if w.decode && w.ok() && (m.McastType < McastTypeAD || m.McastType > McastTypeSA) {
		w.failAt(errUpBadNet, "mcast_type", at, 1, "MCAST_TYPE %d is not defined", m.McastType)
		return
	}
	w.u64("vpn_id", &m.VPNID)
	if m.McastType == McastTypeAD {
		w.u24("label", &m.Label)
		w.addr("source_originator", &m.SourceOriginator, 4)
		return
	}
	w.addr("source_originator", &m.SourceOriginator, 4)
	w.addr("destination_originator", &m.DestinationOriginator, 4)
	prefixLen := func(leaf string, v *uint8) { w.prefixLen(leaf, v, n, "prefix length") }
	prefixLen("source_prefix_length", &m.SourcePrefixLen)
	w.addr("source_address", &m.Source, n)
	prefixLen("group_prefix_length", &m.GroupPrefixLen)
	w.addr("group_address", &m.Group, n)
	cnt := w.count("prune_count", 2, len(m.Prunes))
	if w.decode {
		if cnt*(1+n) > w.remaining() {
			w.failAt(errUpBadNet, "prune_count", w.off-2, 2, "Prune Count %d needs %d bytes, %d remain", cnt, cnt*(1+n), w.remaining())
			return
		}
		m.Prunes = make([]PrunedSource, cnt)
	}
	w.seq("prune", len(m.Prunes), true, func(i int) {
		prefixLen("prefix_length", &m.Prunes[i].PrefixLen)
		w.addr("address", &m.Prunes[i].Address, n)
	})
}
