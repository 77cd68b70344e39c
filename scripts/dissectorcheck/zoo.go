package main

import (
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// zoo is one message of every kind the codec reads: every message type,
// option, capability (and one the draft does not define), attribute type
// 1..38 (and an unknown optional one), NLRI of every family with a
// format, ALERT code and subcode, HELLO TLV, POLICY and INFORM type. Each
// decodes.
func zoo() []omp.Message {
	a4 := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	var ms []omp.Message

	var mac [omp.AuthMACLen]byte
	for i := range mac {
		mac[i] = byte(i)
	}
	ms = append(ms, &omp.Handshake{Version: omp.Version, SiteID: 7, DomainID: 1, HoldTime: 90, PeerRouterID: a4("10.9.9.9"),
		Options: []omp.Option{
			&omp.AuthenticationOption{KeyID: 3, MAC: mac},
			&omp.CapabilitiesOption{Capabilities: []omp.Capability{
				&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute},
				&omp.CapMP{AFI: omp.AFIIPv6, SAFIVersion: omp.SAFIVersionTwo, SAFI: omp.SAFITLOC},
				&omp.CapIdentity{PeerType: omp.PeerTypeVSmart},
				&omp.CapGracefulRestart{GRInterval: 120},
				&omp.CapRefresh{}, &omp.CapSecurity{}, &omp.CapOverlayID{OverlayID: 5},
				&omp.RawCapability{Code: 9, Data: []byte{1, 2}},
			}},
		}})

	tloc := omp.TLOCNLRI{Address: a4("198.51.100.1"), Color: 1, Encap: 2}
	vr := omp.VRouteNLRI{VPNID: 10, PathID: 1, Label: 1000, PrefixLen: 24, Address: a4("10.1.0.0")}
	every := []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: a4("198.51.100.1"), Color: 1, Encap: 2}),
		omp.Attr(&omp.AttrTLOCV4Private{Address: a4("10.0.0.2"), Port: 12345}),
		omp.Attr(&omp.AttrTLOCV4Public{Address: a4("203.0.113.5"), Port: 12346}),
		omp.Attr(&omp.AttrTLOCEncap{EncapType: omp.EncapIPsec, TLVs: []omp.TLV{
			{Type: omp.EncapTLVProtocol, Value: []byte{0, 50}}, {Type: omp.EncapTLVSPI, Value: []byte{0, 0, 1, 0}},
			{Type: omp.EncapTLVAuth, Value: []byte{1}}, {Type: omp.EncapTLVAuthKey, Value: make([]byte, 20)},
			{Type: omp.EncapTLVEncrypt, Value: []byte{2}}, {Type: omp.EncapTLVEncryptKey, Value: make([]byte, 32)}}}),
		omp.Attr(&omp.AttrPref{Preference: 100}),
		omp.Attr(&omp.AttrWeight{Weight: 10}),
		omp.Attr(&omp.AttrTag{Tag: 7}),
		omp.Attr(&omp.AttrDomain{DomainID: 1}),
		omp.Attr(&omp.AttrSiteID{SiteID: 100}),
		omp.Attr(&omp.AttrQuery{Query: 1}),
		omp.Attr(&omp.AttrOrigin{Proto: omp.OriginOSPFIntra, ProtoSubtype: 1, Metric: 20}),
		omp.Attr(&omp.AttrOriginator{Originator: a4("10.9.9.9")}),
		omp.Attr(&omp.AttrSrcVPN{SourceVPNID: 10}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{vr, vr}}}),
		omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{tloc}}}),
		omp.Attr(&omp.AttrStale{Stale: 1}),
		omp.Attr(&omp.AttrCarrier{Carrier: 2}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeMulticast, Data: []byte{1, 2, 3}}),
		omp.Attr(&omp.AttrVersion{Version: 3}),
		omp.Attr(&omp.AttrTLOCV6Private{Address: a4("2001:db8::2"), Port: 12345}),
		omp.Attr(&omp.AttrTLOCV6Public{Address: a4("2001:db8::3"), Port: 12346}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeGenID, Data: []byte{0, 0, 0, 1}}),
		omp.Attr(&omp.AttrGroup{Groups: []uint32{1, 2, 3}}),
		omp.Attr(&omp.AttrRestrict{Restrict: 1}),
		omp.Attr(&omp.AttrSecurity{TLVs: []omp.TLV{
			{Type: omp.SecTLVSAIdx, Value: []byte{0, 1}}, {Type: omp.SecTLVSPI, Value: []byte{0, 0, 1, 0}},
			{Type: omp.SecTLVFlags, Value: []byte{1}}, {Type: omp.SecTLVProtocol, Value: []byte{50}},
			{Type: omp.SecTLVEncrypt, Value: []byte{1, 2}}, {Type: omp.SecTLVIntegrity, Value: []byte{1}},
			{Type: omp.SecTLVAuth, Value: []byte{1, 9, 9}}, {Type: omp.SecTLVEncryptKey, Value: []byte{2, 8, 8}}}}),
		omp.Attr(&omp.AttrBorder{Border: 1}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeUltimateTLOC, Data: []byte{9}}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeSLA, Data: []byte{9}}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeOverlayID, Data: []byte{0, 0, 0, 5}}),
		omp.Attr(&omp.AttrASPath{Segments: []omp.ASPathSegment{{Type: 2, ASNs: []uint32{65001, 65002}}, {Type: 1, ASNs: []uint32{65003}}}}),
		omp.Attr(&omp.AttrBandwidth{Bandwidth: 1000}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeQoSGroup, Data: []byte{1}}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeCap, Data: []byte{1}}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeTLOCInstalled, Data: []byte{1}}),
		omp.Attr(&omp.AttrCommunity{Communities: []uint32{0xFFFF0001, 0x00010002}}),
		omp.Attr(&omp.RawAttr{AType: omp.AttrTypeExtCommunity, Data: []byte{0, 2, 0, 1, 0, 0, 0, 1}}),
		omp.Attr(&omp.AttrOnDemand{OnDemand: 1}),
		omp.Attr(&omp.AttrAdaptQoS{Flags: 0x1F, DownstreamMin: 1, Downstream: 2, DownstreamMax: 3, Period: 4, Up: 1}),
		{Flags: omp.AttrOptional | omp.AttrPartial, Value: &omp.RawAttr{AType: 45, Data: []byte{1}}},
	}
	ms = append(ms, &omp.Update{Attributes: every})

	// NLRI of every family, IPv6 too; an extended-length attribute.
	v6 := omp.VRouteNLRI{VPNID: 11, PathID: 2, Label: 2000, PrefixLen: 64, Address: a4("2001:db8:1::")}
	mcast := []omp.MulticastNLRI{
		{McastType: omp.McastTypeAD, VPNID: 10, Label: 77, SourceOriginator: a4("10.9.9.9")},
		{McastType: omp.McastTypeJoinXG, VPNID: 10, SourceOriginator: a4("10.9.9.9"), DestinationOriginator: a4("10.8.8.8"),
			SourcePrefixLen: 32, Source: a4("10.7.7.7"), GroupPrefixLen: 32, Group: a4("239.1.1.1"),
			Prunes: []omp.PrunedSource{{PrefixLen: 32, Address: a4("10.6.6.6")}}},
		{McastType: omp.McastTypeJoinSG, VPNID: 10, SourceOriginator: a4("10.9.9.9"), DestinationOriginator: a4("10.8.8.8"),
			SourcePrefixLen: 32, Source: a4("10.7.7.7"), GroupPrefixLen: 32, Group: a4("239.1.1.2")},
		{McastType: omp.McastTypeSA, VPNID: 10, SourceOriginator: a4("10.9.9.9"), DestinationOriginator: a4("10.8.8.8"),
			SourcePrefixLen: 32, Source: a4("10.7.7.7"), GroupPrefixLen: 32, Group: a4("239.1.1.3")},
	}
	mcast6 := []omp.MulticastNLRI{{McastType: omp.McastTypeJoinSG, VPNID: 10, SourceOriginator: a4("10.9.9.9"),
		DestinationOriginator: a4("10.8.8.8"), SourcePrefixLen: 128, Source: a4("2001:db8::7"), GroupPrefixLen: 16, Group: a4("ff0e::1"),
		Prunes: []omp.PrunedSource{{PrefixLen: 128, Address: a4("2001:db8::6")}}}}
	many := make([]uint32, 80)
	ms = append(ms,
		&omp.Update{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrTLOC{Address: a4("2001:db8::1"), Color: 3, Encap: 1}),
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{v6}}}),
			omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC,
				TLOCs: []omp.TLOCNLRI{{Address: a4("2001:db8::9"), Color: 2, Encap: 2}}}}),
			omp.Attr(&omp.AttrCommunity{Communities: many}),
		}},
		&omp.Update{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrTLOCEncap{EncapType: omp.EncapGRE, TLVs: []omp.TLV{{Type: omp.EncapTLVGREKey, Value: []byte{0, 0, 0, 9}}}}),
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast, Multicast: mcast}}),
			omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv6, SAFI: omp.SAFIMulticast, Multicast: mcast6}}),
		}},
		&omp.Update{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIService, Raw: []byte{1, 2, 3, 4}}}),
		}},
		&omp.Query{Attributes: []omp.Attribute{
			omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{vr}}}),
			omp.Attr(&omp.AttrUnreachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{tloc}}}),
		}},
	)

	for _, c := range omp.AlertCodes() {
		subs := append([]omp.Subcode{omp.SubErrNone}, c.Subcodes()...)
		for _, s := range append(subs, 9) {
			ms = append(ms, &omp.Alert{Code: c, Subcode: s, Data: []byte{byte(c), byte(s)}})
		}
	}
	ms = append(ms, &omp.Alert{Code: 9, Subcode: 1})

	ms = append(ms, &omp.Hello{},
		&omp.Hello{TLVs: []omp.HelloTLV{
			{TLVType: omp.HelloTLVVSmarts, VSmarts: []netip.Addr{a4("10.1.1.1"), a4("2001:db8::5")}},
			{TLVType: 7, Data: []byte{1, 2, 3}}}})
	for t := omp.PolicyComplete; t <= omp.PolicyDel; t++ {
		ms = append(ms, &omp.Policy{PolicyType: t, Data: []byte("policy data")})
	}
	ms = append(ms, &omp.Policy{PolicyType: 9},
		&omp.Inform{InformType: omp.InformEOR, AllFamilies: true},
		&omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute},
		&omp.Inform{InformType: omp.InformRefreshRequest, AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC},
		&omp.Inform{InformType: 5, Data: []byte{1, 2}})
	return ms
}
