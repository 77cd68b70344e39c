package omp

import "net/netip"

// AttrTLOC is ATTR_TYPE_TLOC (section 3.1.3.1): the TLOC that is a
// route's next hop. The address family follows from the Length: 6 bytes
// for IPv4, 18 for IPv6.
type AttrTLOC struct {
	Address netip.Addr
	Color   uint8
	Encap   uint8
}

func (*AttrTLOC) AttrType() AttrType { return AttrTypeTLOC }

func (a *AttrTLOC) walk(w *walker) {
	n := 4
	if w.decode {
		switch w.remaining() {
		case tlocSize(4):
		case tlocSize(16):
			n = 16
		default:
			w.failAt(errUpLength, "", w.off, w.remaining(), "ATTR_TYPE_TLOC data is %d bytes; must be %s", w.remaining(), attrLenText(AttrTypeTLOC))
			return
		}
	} else if a.Address.IsValid() && !a.Address.Is4() {
		n = 16
	}
	at := w.pos()
	w.addr("address", &a.Address, n)
	if w.decode && w.ok() && !validNexthop(a.Address) {
		w.failAt(errUpNexthop, "address", at, n, "TLOC address %s cannot be a next hop", a.Address)
		return
	}
	w.u8("color", &a.Color)
	w.u8("encap", &a.Encap)
}

// tlocSize is the size of a TLOC of an n-byte address: ATTR_TYPE_TLOC's
// data is drawn as a TLOC NLRI is, so it is that layout's size.
func tlocSize(n int) int { return tlocNLRI.plan(n).size }

// validNexthop refuses the addresses that cannot be a TLOC: unspecified,
// multicast, and the IPv4 limited broadcast address.
func validNexthop(a netip.Addr) bool {
	return !a.IsUnspecified() && !a.IsMulticast() && a != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// TLOCAddrPort is the data of the TLOC private and public attributes: an
// address of n bytes and a port.
type TLOCAddrPort struct {
	Address netip.Addr
	Port    uint16
}

func (t *TLOCAddrPort) walk(w *walker, n int, prefix string) {
	w.addr(prefix+"_address", &t.Address, n)
	w.u16(prefix+"_port", &t.Port)
}

// AttrTLOCV4Private is ATTR_TYPE_TLOC_V4_PRIVATE (section 3.1.3.2).
type AttrTLOCV4Private TLOCAddrPort

// AttrTLOCV4Public is ATTR_TYPE_TLOC_V4_PUBLIC (section 3.1.3.3).
type AttrTLOCV4Public TLOCAddrPort

// AttrTLOCV6Private is ATTR_TYPE_TLOC_V6_PRIVATE: the draft draws no
// figure; by analogy with the IPv4 form, a 16-byte address and a port.
type AttrTLOCV6Private TLOCAddrPort

// AttrTLOCV6Public is ATTR_TYPE_TLOC_V6_PUBLIC: as AttrTLOCV6Private.
type AttrTLOCV6Public TLOCAddrPort

func (*AttrTLOCV4Private) AttrType() AttrType { return AttrTypeTLOCV4Private }
func (*AttrTLOCV4Public) AttrType() AttrType  { return AttrTypeTLOCV4Public }
func (*AttrTLOCV6Private) AttrType() AttrType { return AttrTypeTLOCV6Private }
func (*AttrTLOCV6Public) AttrType() AttrType  { return AttrTypeTLOCV6Public }

func (a *AttrTLOCV4Private) walk(w *walker) { (*TLOCAddrPort)(a).walk(w, 4, "private") }
func (a *AttrTLOCV4Public) walk(w *walker)  { (*TLOCAddrPort)(a).walk(w, 4, "public") }
func (a *AttrTLOCV6Private) walk(w *walker) { (*TLOCAddrPort)(a).walk(w, 16, "private") }
func (a *AttrTLOCV6Public) walk(w *walker)  { (*TLOCAddrPort)(a).walk(w, 16, "public") }

// The attributes whose data is one 4-byte value.

// AttrPref is ATTR_TYPE_PREF (section 3.1.3.4).
type AttrPref struct{ Preference uint32 }

func (*AttrPref) AttrType() AttrType { return AttrTypePref }
func (a *AttrPref) walk(w *walker)   { w.u32("preference", &a.Preference) }

// AttrWeight is ATTR_TYPE_WEIGHT (section 3.1.3.5).
type AttrWeight struct{ Weight uint32 }

func (*AttrWeight) AttrType() AttrType { return AttrTypeWeight }
func (a *AttrWeight) walk(w *walker)   { w.u32("weight", &a.Weight) }

// AttrTag is ATTR_TYPE_TAG (section 3.1.3.6).
type AttrTag struct{ Tag uint32 }

func (*AttrTag) AttrType() AttrType { return AttrTypeTag }
func (a *AttrTag) walk(w *walker)   { w.u32("tag", &a.Tag) }

// AttrDomain is ATTR_TYPE_DOMAIN (section 3.1.3.7).
type AttrDomain struct{ DomainID uint32 }

func (*AttrDomain) AttrType() AttrType { return AttrTypeDomain }
func (a *AttrDomain) walk(w *walker)   { w.u32("domain_id", &a.DomainID) }

// AttrSiteID is ATTR_TYPE_SITE_ID (section 3.1.3.8).
type AttrSiteID struct{ SiteID uint32 }

func (*AttrSiteID) AttrType() AttrType { return AttrTypeSiteID }
func (a *AttrSiteID) walk(w *walker)   { w.u32("site_id", &a.SiteID) }

// AttrOriginator is ATTR_TYPE_ORIGINATOR (section 3.1.3.10): the system IP
// of the router that originated the route.
type AttrOriginator struct{ Originator netip.Addr }

func (*AttrOriginator) AttrType() AttrType { return AttrTypeOriginator }
func (a *AttrOriginator) walk(w *walker)   { w.addr("originator", &a.Originator, 4) }

// AttrVersion is ATTR_TYPE_VERSION (section 3.1.3.15).
type AttrVersion struct{ Version uint32 }

func (*AttrVersion) AttrType() AttrType { return AttrTypeVersion }
func (a *AttrVersion) walk(w *walker)   { w.u32("version", &a.Version) }

// AttrBandwidth is ATTR_TYPE_BANDWIDTH (section 3.1.3.21, headed ASPATH
// in the draft but drawn as Bandwidth).
type AttrBandwidth struct{ Bandwidth uint32 }

func (*AttrBandwidth) AttrType() AttrType { return AttrTypeBandwidth }
func (a *AttrBandwidth) walk(w *walker)   { w.u32("bandwidth", &a.Bandwidth) }

// AttrSrcVPN is ATTR_TYPE_SRCVPN (section 3.1.3.11): an 8-byte Source VPN ID.
type AttrSrcVPN struct{ SourceVPNID uint64 }

func (*AttrSrcVPN) AttrType() AttrType { return AttrTypeSrcVPN }
func (a *AttrSrcVPN) walk(w *walker)   { w.u64("source_vpn_id", &a.SourceVPNID) }

// The attributes whose data is one byte.

// AttrQuery is ATTR_TYPE_QUERY (section 3.1.3.8, the second of that number).
type AttrQuery struct{ Query uint8 }

func (*AttrQuery) AttrType() AttrType { return AttrTypeQuery }
func (a *AttrQuery) walk(w *walker)   { w.u8("query", &a.Query) }

// AttrStale is ATTR_TYPE_STALE (section 3.1.3.13).
type AttrStale struct{ Stale uint8 }

func (*AttrStale) AttrType() AttrType { return AttrTypeStale }
func (a *AttrStale) walk(w *walker)   { w.u8("stale", &a.Stale) }

// AttrCarrier is ATTR_TYPE_CARRIER (section 3.1.3.14).
type AttrCarrier struct{ Carrier uint8 }

func (*AttrCarrier) AttrType() AttrType { return AttrTypeCarrier }
func (a *AttrCarrier) walk(w *walker)   { w.u8("carrier", &a.Carrier) }

// AttrRestrict is ATTR_TYPE_RESTRICT (section 3.1.3.17).
type AttrRestrict struct{ Restrict uint8 }

func (*AttrRestrict) AttrType() AttrType { return AttrTypeRestrict }
func (a *AttrRestrict) walk(w *walker)   { w.u8("restrict", &a.Restrict) }

// AttrBorder is ATTR_TYPE_BORDER (section 3.1.3.19).
type AttrBorder struct{ Border uint8 }

func (*AttrBorder) AttrType() AttrType { return AttrTypeBorder }
func (a *AttrBorder) walk(w *walker)   { w.u8("border", &a.Border) }

// AttrOnDemand is ATTR_TYPE_ON_DEMAND (section 3.1.3.23).
type AttrOnDemand struct{ OnDemand uint8 }

func (*AttrOnDemand) AttrType() AttrType { return AttrTypeOnDemand }
func (a *AttrOnDemand) walk(w *walker)   { w.u8("on_demand", &a.OnDemand) }

// The attributes whose data is a list of 4-byte values.

// AttrGroup is ATTR_TYPE_GROUP (section 3.1.3.16).
type AttrGroup struct{ Groups []uint32 }

func (*AttrGroup) AttrType() AttrType { return AttrTypeGroup }
func (a *AttrGroup) walk(w *walker) {
	list(w, "group", &a.Groups, 4, func(v *uint32) { w.u32("value", v) })
}

// AttrCommunity is ATTR_TYPE_COMMUNITY (section 3.1.3.22).
type AttrCommunity struct{ Communities []uint32 }

func (*AttrCommunity) AttrType() AttrType { return AttrTypeCommunity }
func (a *AttrCommunity) walk(w *walker) {
	list(w, "community", &a.Communities, 4, func(v *uint32) { w.u32("value", v) })
}
