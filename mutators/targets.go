package mutators

import (
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// The valid messages the standard mutations start from. Each call builds
// a fresh message. Field names in the table refer to their layouts, which
// the doc comments give.

// BaseHandshake is a valid HANDSHAKE: Version 1, Site ID 100, Domain ID 1,
// Hold Time 60, Router ID 10.255.0.1, and one Capabilities option
// (handshake.option[0]) of omp.DefaultCapabilities for a vEdge in
// overlay 1: capability[0..3] MP (IPv4 VROUTE, IPv6 VROUTE, IPv4 TLOC,
// IPv6 TLOC), capability[4] IDENTITY (vEdge), capability[5] GRACEFUL
// RESTART, capability[6] REFRESH, capability[7] OVERLAY ID.
func BaseHandshake() *omp.Handshake {
	return &omp.Handshake{Version: omp.Version, SiteID: 100, DomainID: 1, HoldTime: omp.DefaultHoldTime, PeerRouterID: netip.MustParseAddr("10.255.0.1"),
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: omp.DefaultCapabilities(omp.PeerTypeVEdge, 1)}}}
}

// BareHandshake is BaseHandshake without options (a 16-byte body).
func BareHandshake() *omp.Handshake {
	h := BaseHandshake()
	h.Options = nil
	return h
}

// BaseUpdate is a valid UPDATE advertising two IPv4 vRoutes:
// attr[0] TLOC 192.0.2.1 color 1 encap 2, attr[1] PREF 100, attr[2]
// ORIGIN (OPTIONAL; connected, metric 5), attr[3] ORIGINATOR 10.255.0.1,
// attr[4] REACHABLES (AFI_IPV4, SAFI_VROUTE, nlri[0] 10.1.0.0/24 and
// nlri[1] 10.2.0.0/24 in VPN 10).
func BaseUpdate() *omp.Update {
	return &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}),
		omp.Attr(&omp.AttrPref{Preference: 100}),
		{Flags: omp.AttrOptional, Value: &omp.AttrOrigin{Proto: omp.OriginConnected, Metric: 5}},
		omp.Attr(&omp.AttrOriginator{Originator: netip.MustParseAddr("10.255.0.1")}),
		omp.Attr(baseReach()),
	}}
}

func baseReach() *omp.AttrReachables {
	return &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{
		{VPNID: 10, PathID: 1, Label: 1001, PrefixLen: 24, Address: netip.MustParseAddr("10.1.0.0")},
		{VPNID: 10, PathID: 2, Label: 1002, PrefixLen: 24, Address: netip.MustParseAddr("10.2.0.0")},
	}}}
}

// ASPathUpdate is BaseUpdate with attr[4] ASPATH (one segment of type 2,
// AS 65001 and 65002) and attr[5] REACHABLES.
func ASPathUpdate() *omp.Update {
	u := BaseUpdate()
	u.Attributes = append(u.Attributes[:4:4],
		omp.Attr(&omp.AttrASPath{Segments: []omp.ASPathSegment{{Type: 2, ASNs: []uint32{65001, 65002}}}}),
		omp.Attr(baseReach()))
	return u
}

// QoSUpdate is BaseUpdate with attr[4] ADAPT_QOS (flags DOWNSTREAM and
// UP) and attr[5] REACHABLES.
func QoSUpdate() *omp.Update {
	u := BaseUpdate()
	u.Attributes = append(u.Attributes[:4:4],
		omp.Attr(&omp.AttrAdaptQoS{Flags: omp.AdaptQoSDownstream | omp.AdaptQoSUp, Downstream: 100000, Up: 1}),
		omp.Attr(baseReach()))
	return u
}

// TLOCRouteUpdate is a valid UPDATE advertising a TLOC route: attr[0]
// TLOC_ENCAP (GRE, tlvs.tlv[0] GRE_KEY 4 bytes), attr[1] TLOC_V4_PRIVATE
// 192.0.2.1:12346, attr[2] REACHABLES (AFI_IPV4, SAFI_TLOC, nlri[0]
// 192.0.2.1 color 1 encap 1).
func TLOCRouteUpdate() *omp.Update {
	return &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrTLOCEncap{EncapType: omp.EncapGRE, TLVs: []omp.TLV{{Type: omp.EncapTLVGREKey, Value: []byte{0, 0, 0, 42}}}}),
		omp.Attr(&omp.AttrTLOCV4Private{Address: netip.MustParseAddr("192.0.2.1"), Port: 12346}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{
			{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 1},
		}}}),
	}}
}

// MulticastUpdate is a valid UPDATE advertising a multicast AD route:
// attr[0] REACHABLES (AFI_IPV4, SAFI_MULTICASE, nlri[0] AD in VPN 10,
// label 2000, source originator 10.255.0.1).
func MulticastUpdate() *omp.Update {
	return &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast, Multicast: []omp.MulticastNLRI{
			{McastType: omp.McastTypeAD, VPNID: 10, Label: 2000, SourceOriginator: netip.MustParseAddr("10.255.0.1")},
		}}}),
	}}
}

// EmptyUpdate is an UPDATE with no attributes (body: Attributes Length 0).
func EmptyUpdate() *omp.Update { return &omp.Update{} }

// BaseHello is a HELLO with one OMP_PTK_HELLO_TLV_VSMARTS TLV listing
// 10.255.0.3 (hello.tlv[0].vsmart[0]).
func BaseHello() *omp.Hello {
	return &omp.Hello{TLVs: []omp.HelloTLV{{TLVType: omp.HelloTLVVSmarts, VSmarts: []netip.Addr{netip.MustParseAddr("10.255.0.3")}}}}
}

// BaseAlert is an ALERT OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR without data.
func BaseAlert() *omp.Alert { return &omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear} }

// BaseEOR is an INFORM OMP_INFORM_EOR for AFI_IPV4/SAFI_VROUTE
// (inform.length 3, inform.data: afi, safi).
func BaseEOR() *omp.Inform {
	return &omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
}
